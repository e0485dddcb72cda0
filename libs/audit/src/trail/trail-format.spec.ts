import { csvField, detailsText, trailWriter } from './trail-format';
import type { TrailEntry } from './trail-entry';

const entry = (overrides: Partial<TrailEntry> = {}): TrailEntry => ({
  time: '2026-11-26T08:00:00.000Z',
  log_code: 'srrt',
  related_log_code: 'sapi',
  event: 'TokenRevoked',
  credential_id: 'dcr_0123456789abcdef',
  user_id: 'auth0|u1',
  client_id: 'app-1',
  device_name: 'Pixel 9',
  actor: 'mgmt@clients',
  details: { reason: 'management_api' },
  event_id: '6f1c3c5e-0000-4000-8000-000000000001',
  correlation_id: 'req-1',
  source: 'events',
  position: '42',
  ...overrides,
});

const render = (format: 'table' | 'json' | 'csv', pages: TrailEntry[][]) => {
  const writer = trailWriter(format);
  return pages.map((page) => writer.page(page)).join('') + writer.end();
};

describe('trail formats', () => {
  describe('details', () => {
    it('quotes values with spaces, quotes or "="', () => {
      expect(
        detailsText({ scope: 'openid profile', target: 'app-2', odd: 'a=b', q: 'say "hi"', e: '' }),
      ).toBe('scope="openid profile" target=app-2 odd="a=b" q="say \\"hi\\"" e=""');
    });
  });

  describe('table', () => {
    it('aligns every column under its header', () => {
      const text = render('table', [
        [
          entry(),
          entry({ event: 'DelegationFailed', log_code: 'fd', related_log_code: null, user_id: null }),
        ],
      ]);
      const lines = text.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      const column = (heading: string) => lines[0].indexOf(heading);
      for (const heading of [
        'CODE',
        'EVENT',
        'CREDENTIAL',
        'USER',
        'CLIENT',
        'DEVICE',
        'ACTOR',
        'CORRELATION',
        'DETAILS',
      ]) {
        const at = column(heading);
        for (const line of lines.slice(1)) expect(line[at - 1]).toBe(' ');
        for (const line of lines.slice(1)) expect(line[at]).not.toBe(' ');
      }
      expect(lines[1]).toContain('srrt+sapi');
      expect(lines[1]).toMatch(/\breq-1\s/); // the correlation id, a column of its own
      expect(lines[2]).toMatch(/fd\s+DelegationFailed/);
      expect(lines[2]).toMatch(/dcr_0123456789abcdef {2}- {2}/); // an absent user shows as "-"
    });

    it('prints only the header for an empty trail', () => {
      expect(render('table', [])).toMatch(
        /^TIME\s+CODE\s+EVENT\s+CREDENTIAL\s+USER\s+CLIENT\s+DEVICE\s+ACTOR\s+CORRELATION\s+DETAILS\n$/,
      );
    });

    it('escapes control characters a client put in a device name', () => {
      const text = render('table', [[entry({ device_name: 'evil\u001b[2Jphone' })]]);
      expect(text).not.toContain('\u001b');
      expect(text).toContain('evil\\u001b[2Jphone');
    });
  });

  describe('json', () => {
    it('is one JSON array across pages', () => {
      const pages = [[entry({ position: '1' }), entry({ position: '2' })], [], [entry({ position: '3' })]];
      const parsed = JSON.parse(render('json', pages)) as TrailEntry[];
      expect(parsed.map((e) => e.position)).toEqual(['1', '2', '3']);
      expect(parsed[0]).toEqual(entry({ position: '1' }));
    });

    it('is an empty array for an empty trail', () => {
      expect(JSON.parse(render('json', []))).toEqual([]);
    });
  });

  describe('csv', () => {
    it('has a header row and one row per entry', () => {
      const lines = render('csv', [[entry()]]).split('\r\n');
      expect(lines[0]).toBe(
        'time,log_code,related_log_code,event,credential_id,user_id,client_id,device_name,actor,details,event_id,correlation_id,source,position',
      );
      expect(lines[1]).toBe(
        '2026-11-26T08:00:00.000Z,srrt,sapi,TokenRevoked,dcr_0123456789abcdef,auth0|u1,app-1,Pixel 9,mgmt@clients,reason=management_api,6f1c3c5e-0000-4000-8000-000000000001,req-1,events,42',
      );
      expect(lines[2]).toBe('');
    });

    it('quotes commas, quotes and line breaks (RFC 4180) and defuses formulas', () => {
      expect(csvField('a,b')).toBe('"a,b"');
      expect(csvField('say "hi"')).toBe('"say ""hi"""');
      expect(csvField('two\nlines')).toBe('"two\nlines"');
      expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
      expect(csvField('@sum')).toBe("'@sum");
      expect(csvField(null)).toBe('');
    });

    it('writes the header for an empty trail', () => {
      expect(render('csv', [])).toBe(
        'time,log_code,related_log_code,event,credential_id,user_id,client_id,device_name,actor,details,event_id,correlation_id,source,position\r\n',
      );
    });
  });
});
