import { Injectable } from '@nestjs/common';
import { AuditCommand, EXIT, type AuditIo } from '../cli/audit-command';

@Injectable()
export class ReplayCommand extends AuditCommand {
  static readonly help = {
    name: 'replay',
    summary: '(being built)',
    usage: 'usage: npm run audit -- replay',
  };

  async run(_args: string[], io: AuditIo): Promise<number> {
    io.err.write('audit replay: not built yet\n');
    return EXIT.unavailable;
  }
}
