export { AuditModule, COMMANDS } from './audit.module';
export { AuditCommand, EXIT, UsageError, type AuditIo, type CommandHelp } from './cli/audit-command';
export { runAudit } from './cli/run-audit';
