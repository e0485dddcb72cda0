import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditCommand, EXIT, type AuditIo } from '../cli/audit-command';
import { writeOut } from './write-out';
import { trailWriter } from './trail-format';
import { parseTrailArgs } from './trail-options';
import { TrailQueries } from './trail.queries';

/**
 * `trail`: the ordered history of one credential, or of every credential of a user, a client or a
 * device name — the events of their streams and the refused exchanges that named them — in Auth0's
 * log vocabulary.
 */
@Injectable()
export class TrailCommand extends AuditCommand {
  static readonly help = {
    name: 'trail',
    summary: 'history of a credential, user, client or device, failed exchanges included',
    usage: [
      'usage: npm run audit -- trail (--credential <id> | --user <id> | --client <id> | --device <name>)',
      '                              [--since <iso>] [--until <iso>] [--format table|json|csv]',
      '',
      'Prints, ordered by time (then store position), every event of the matching credentials and every',
      'refused /delegation or refresh_token exchange that names them, with its Auth0 log code',
      '(seacft, sepft, sd, sertft, fd, fertft, srrt; +sapi for Management API callers, +feacft for a',
      'replayed authorization code). --user, --client and --device find the credentials by their',
      'TokenIssued; --client also lists refused exchanges presented by that client.',
      '',
      '  --since <iso>   from this instant (inclusive); an ISO 8601 date or date-time, UTC unless it',
      '                  carries an offset',
      '  --until <iso>   up to this instant (exclusive)',
      '  --format        table (default; aligned columns), json (one array, an object per entry),',
      '                  csv (header row, RFC 4180 quoting)',
    ].join('\n'),
  };

  private readonly queries: TrailQueries;

  constructor(db: DataSource) {
    super();
    this.queries = new TrailQueries(db);
  }

  async run(args: string[], io: AuditIo): Promise<number> {
    const options = parseTrailArgs(args);
    const credentials = await this.queries.credentials(options.filter);
    const writer = trailWriter(options.format);
    let count = 0;
    for await (const page of this.queries.entries(options.filter, options, credentials)) {
      count += page.length;
      await writeOut(io.out, writer.page(page));
    }
    await writeOut(io.out, writer.end());
    const { by, value } = options.filter;
    const named = by === 'credential' ? '' : ` (${credentials.size} credentials)`;
    io.err.write(`trail: ${count} entries for ${by} ${value}${named}\n`);
    return EXIT.ok;
  }
}
