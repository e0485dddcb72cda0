import { Injectable } from '@nestjs/common';
import { AuditCommand, EXIT, type AuditIo } from '../cli/audit-command';

@Injectable()
export class VerifyCommand extends AuditCommand {
  static readonly help = {
    name: 'verify',
    summary: '(being built)',
    usage: 'usage: npm run audit -- verify',
  };

  async run(_args: string[], io: AuditIo): Promise<number> {
    io.err.write('audit verify: not built yet\n');
    return EXIT.unavailable;
  }
}
