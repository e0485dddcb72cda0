import { UsageError } from '../cli/audit-command';
import { readEnvelope } from './topic-comparison';
import { parseVerifyArgs } from './verify-options';
import { reportText, type VerifyReport } from './verify-report';

const whole: VerifyReport = {
  ok: true,
  store: { events: 1204, streams: 301 },
  topic: {
    name: 'auth.device-credentials.events.v1',
    partitions: 3,
    messages: 1210,
    duplicates: 6,
    newer: 0,
    pending: 0,
    pending_events: [],
  },
  findings: [],
  findings_total: 0,
};

describe('verify report', () => {
  it('says what was checked and that the log is whole', () => {
    expect(reportText(whole)).toBe(
      [
        'store: 1,204 events in 301 streams, hash chains checked',
        'topic auth.device-credentials.events.v1: 1,210 messages on 3 partitions; 6 duplicates (at-least-once redelivery, not a finding); 0 pending in the outbox',
        'verify: the log is whole',
        '',
      ].join('\n'),
    );
  });

  it('names each finding, the first break first', () => {
    const text = reportText({
      ...whole,
      ok: false,
      topic: null,
      findings: [
        {
          kind: 'altered',
          where: 'store',
          event_id: '0b9c1e4e-8d1f-4f7e-9c55-0f3c3b1d2a10',
          stream_id: 'dcr_0123456789abcdef',
          stream_version: 2,
          location: 'store position 57',
          detail: 'its hash does not match its content',
        },
        {
          kind: 'removed',
          where: 'store',
          event_id: null,
          stream_id: 'dcr_0123456789abcdef',
          stream_version: 4,
          location: null,
          detail: 'version 4 is missing from the store',
        },
      ],
      findings_total: 2,
    });
    expect(text).toContain('topic: not compared (--store-only)');
    expect(text).toContain(
      '  1. ALTERED in the store: event 0b9c1e4e-8d1f-4f7e-9c55-0f3c3b1d2a10 — stream dcr_0123456789abcdef, version 2 (store position 57): its hash does not match its content',
    );
    expect(text).toContain(
      '  2. REMOVED in the store: an event no copy of which was found — stream dcr_0123456789abcdef, version 4: version 4 is missing',
    );
  });
});

describe('verify options', () => {
  it('compares with the live topic by default', () => {
    expect(parseVerifyArgs([], 'live')).toEqual({ topic: 'live', format: 'text' });
    expect(parseVerifyArgs(['--topic', 'copy', '--format', 'json'], 'live')).toEqual({
      topic: 'copy',
      format: 'json',
    });
    expect(parseVerifyArgs(['--store-only'], 'live')).toEqual({ topic: null, format: 'text' });
  });

  it.each([
    [['--store-only', '--topic', 'x']],
    [['--format', 'yaml']],
    [['--topic', '']],
    [['--bogus']],
    [['extra']],
  ])('refuses %j', (args) => expect(() => parseVerifyArgs(args, 'live')).toThrow(UsageError));
});

describe('readEnvelope', () => {
  const value = (v: unknown) => ({ value: Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)) });
  const envelope = {
    event_id: '0b9c1e4e-8d1f-4f7e-9c55-0f3c3b1d2a10',
    stream_id: 'dcr_A',
    stream_version: 1,
    hash: 'h',
  };

  it('reads an envelope whatever its schema version', () => {
    expect(readEnvelope(value({ ...envelope, schema_version: 99 }))).toMatchObject(envelope);
  });

  it.each([
    ['not json', 'its value is not JSON'],
    [{ ...envelope, event_id: 'x' }, 'it has no UUID event_id'],
    [{ ...envelope, stream_version: 0 }, 'it has no stream_version'],
    [{ ...envelope, hash: undefined }, 'it has no hash'],
  ])('says why %j is not one', (v, why) => expect(readEnvelope(value(v))).toBe(why));
});
