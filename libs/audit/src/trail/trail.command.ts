import { Injectable } from '@nestjs/common';
import { AuditCommand, EXIT, type AuditIo } from '../cli/audit-command';

@Injectable()
export class TrailCommand extends AuditCommand {
  static readonly help = {
    name: 'trail',
    summary: '(being built)',
    usage: 'usage: npm run audit -- trail',
  };

  async run(_args: string[], io: AuditIo): Promise<number> {
    io.err.write('audit trail: not built yet\n');
    return EXIT.unavailable;
  }
}
