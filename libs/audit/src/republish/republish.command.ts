import { Injectable } from '@nestjs/common';
import { AuditCommand, EXIT, type AuditIo } from '../cli/audit-command';

@Injectable()
export class RepublishCommand extends AuditCommand {
  static readonly help = {
    name: 'republish',
    summary: '(being built)',
    usage: 'usage: npm run audit -- republish',
  };

  async run(_args: string[], io: AuditIo): Promise<number> {
    io.err.write('audit republish: not built yet\n');
    return EXIT.unavailable;
  }
}
