import { UsageError } from '../cli/audit-command';
import { parseTrailArgs } from './trail-options';

describe('trail options', () => {
  it('takes one filter, a window and a format', () => {
    expect(
      parseTrailArgs([
        '--user',
        'auth0|u1',
        '--since',
        '2026-11-01',
        '--until',
        '2026-11-02T12:00:00Z',
        '--format',
        'csv',
      ]),
    ).toEqual({
      filter: { by: 'user', value: 'auth0|u1' },
      since: new Date('2026-11-01T00:00:00Z'),
      until: new Date('2026-11-02T12:00:00Z'),
      format: 'csv',
    });
    expect(parseTrailArgs(['--device', 'Pixel 9'])).toEqual({
      filter: { by: 'device', value: 'Pixel 9' },
      since: undefined,
      until: undefined,
      format: 'table',
    });
  });

  it('reads a date-time without an offset as UTC, and keeps an explicit offset', () => {
    expect(parseTrailArgs(['--client', 'a', '--since', '2026-11-01T10:00']).since).toEqual(
      new Date('2026-11-01T10:00:00Z'),
    );
    expect(parseTrailArgs(['--client', 'a', '--since', '2026-11-01T10:00:00+02:00']).since).toEqual(
      new Date('2026-11-01T08:00:00Z'),
    );
  });

  it.each([
    [[], /give one of/],
    [['--user', 'u', '--client', 'c'], /only one of .*--user, --client/],
    [['--user', ''], /needs a value/],
    [['--user', 'u', '--since', 'yesterday'], /--since must be an ISO 8601/],
    [['--user', 'u', '--until', '2026-13-45'], /--until must be an ISO 8601/],
    [['--user', 'u', '--since', '2026-11-02', '--until', '2026-11-01'], /before --until/],
    [['--user', 'u', '--format', 'xml'], /--format must be one of table, json, csv/],
    [['--user', 'u', '--colour'], /Unknown option/],
    [['--user', 'u', 'extra'], /positional/],
  ])('refuses %j', (args, message) => {
    expect(() => parseTrailArgs(args)).toThrow(UsageError);
    expect(() => parseTrailArgs(args)).toThrow(message);
  });
});
