import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configFromEnv } from '../examples/revocation-consumer/config';
import { readMessage, type TokenRevoked, type WireMessage } from '../examples/revocation-consumer/contract';
import { DenyList } from '../examples/revocation-consumer/deny-list';
import { loadState, saveState, StateFileError } from '../examples/revocation-consumer/state-file';

const revoked = (credentialId = 'dcr_0123456789abcdef', overrides: Record<string, unknown> = {}) => ({
  event_id: randomUUID(),
  type: 'TokenRevoked',
  schema_version: 1,
  stream_id: credentialId,
  stream_version: 2,
  occurred_at: '2026-01-02T03:04:05.000Z',
  correlation_id: 'req-1',
  causation_id: null,
  previous_hash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
  data: {
    credential_id: credentialId,
    user_id: 'auth0|u1',
    client_id: 'app-1',
    device_name: 'Pixel 9',
    reason: 'management_api',
    actor: 'm2m@clients',
    revoked_at: '2026-01-02T03:04:05.000Z',
  },
  ...overrides,
});

const wire = (envelope: unknown, headers: WireMessage['headers'] = {}): WireMessage => ({
  key: (envelope as { stream_id?: string }).stream_id ?? null,
  value: Buffer.from(JSON.stringify(envelope)),
  headers,
});

const withoutData = (...fields: string[]) => {
  const envelope = revoked();
  for (const field of fields) delete (envelope.data as Record<string, unknown>)[field];
  return envelope;
};

const asEvent = (envelope: ReturnType<typeof revoked>) => envelope as unknown as TokenRevoked;

describe('revocation consumer example: reading a message', () => {
  it('reads a TokenRevoked v1, with or without headers', () => {
    const envelope = revoked();
    const headers = { event_id: envelope.event_id, event_type: 'TokenRevoked', schema_version: '1' };
    for (const message of [wire(envelope), wire(envelope, headers)]) {
      const reading = readMessage(message);
      expect(reading).toEqual({ kind: 'revocation', event: envelope });
    }
  });

  it('skips other types by their header without parsing the value', () => {
    const message = {
      key: 'k',
      value: Buffer.from('{not json'),
      headers: { event_type: 'IdTokenDelegated' },
    };
    expect(readMessage(message)).toEqual({ kind: 'other', type: 'IdTokenDelegated' });
  });

  it('skips other types by the envelope when there is no header', () => {
    const issued = { ...revoked(), type: 'TokenIssued' };
    expect(readMessage(wire(issued))).toEqual({ kind: 'other', type: 'TokenIssued' });
  });

  it('accepts a reason it does not know: a revocation is a revocation', () => {
    const envelope = revoked();
    envelope.data.reason = 'reason_added_later';
    expect(readMessage(wire(envelope)).kind).toBe('revocation');
  });

  it('refuses a TokenRevoked of another schema version instead of guessing its shape', () => {
    expect(readMessage(wire(revoked(undefined, { schema_version: 2, data: { credential: 'x' } })))).toEqual({
      kind: 'unsupported',
      type: 'TokenRevoked',
      schemaVersion: 2,
    });
  });

  it.each<[string, WireMessage]>([
    ['empty value', { value: null }],
    ['value is not JSON', { value: Buffer.from('{"event_id":') }],
    ['value is not an event envelope', { value: Buffer.from('[1,2,3]') }],
    ['value is not an event envelope', wire({ ...revoked(), event_id: undefined })],
    ['value is not an event envelope', wire({ ...revoked(), data: 'x' })],
    [
      'event_type header does not match the envelope',
      wire({ ...revoked(), type: 'X' }, { event_type: 'TokenRevoked' }),
    ],
    ['TokenRevoked without credential_id, reason', wire(withoutData('credential_id', 'reason'))],
    ['TokenRevoked credential_id differs from stream_id', wire({ ...revoked(), stream_id: 'dcr_other' })],
    ['message key differs from stream_id', { ...wire(revoked()), key: 'dcr_other' }],
  ])('calls a message malformed: %s', (reason, message) => {
    const reading = readMessage(message);
    expect(reading.kind).toBe('malformed');
    expect(reading).toMatchObject({ reason: expect.stringContaining(reason) });
  });
});

describe('revocation consumer example: DenyList', () => {
  it('adds a revoked credential and says it changed', () => {
    const list = new DenyList();
    const event = asEvent(revoked('dcr_aaaaaaaaaaaaaaaa'));
    const result = list.apply(event);
    expect(result).toMatchObject({ changed: true, revocation: { ...event.data, event_id: event.event_id } });
    expect(list.isRevoked('dcr_aaaaaaaaaaaaaaaa')).toBe(true);
    expect(list.isRevoked('dcr_bbbbbbbbbbbbbbbb')).toBe(false);
    expect(list.size).toBe(1);
  });

  it('recognises a redelivered event by its event_id and changes nothing', () => {
    const list = new DenyList();
    const event = asEvent(revoked());
    list.apply(event);
    const again = list.apply(JSON.parse(JSON.stringify(event)));
    expect(again).toMatchObject({ changed: false, why: 'duplicate' });
    expect(list.entries()).toHaveLength(1);
  });

  it('keeps the first revocation when another event revokes the same credential', () => {
    const list = new DenyList();
    const first = asEvent(revoked());
    list.apply(first);
    const second = asEvent(revoked());
    second.data.reason = 'user_blocked';
    expect(list.apply(second)).toMatchObject({ changed: false, why: 'already_revoked' });
    expect(list.get(first.data.credential_id)).toMatchObject({
      reason: 'management_api',
      event_id: first.event_id,
    });
  });

  it('keeps only the contract’s fields', () => {
    const event = asEvent(revoked());
    (event.data as unknown as Record<string, unknown>).extra = 'not ours';
    const list = new DenyList();
    list.apply(event);
    expect(Object.keys(list.get(event.data.credential_id)!).sort()).toEqual(
      [
        'actor',
        'client_id',
        'credential_id',
        'device_name',
        'event_id',
        'reason',
        'revoked_at',
        'user_id',
      ].sort(),
    );
  });

  it('starts from saved entries and still dedupes against them', () => {
    const event = asEvent(revoked());
    const before = new DenyList();
    before.apply(event);
    const after = new DenyList(before.entries());
    expect(after.isRevoked(event.data.credential_id)).toBe(true);
    expect(after.apply(event)).toMatchObject({ changed: false, why: 'duplicate' });
  });
});

describe('revocation consumer example: deny-list file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'deny-list-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('round-trips the deny-list with its positions', async () => {
    const list = new DenyList();
    list.apply(asEvent(revoked()));
    const state = { revoked: list.entries(), positions: { topic: { '0': '12', '2': '3' } } };
    await saveState(join(dir, 'deny.json'), state);
    await expect(loadState(join(dir, 'deny.json'))).resolves.toEqual(state);
    expect(JSON.parse(await readFile(join(dir, 'deny.json'), 'utf8'))).toEqual(state);
  });

  it('reads a missing file as no state', async () => {
    await expect(loadState(join(dir, 'absent.json'))).resolves.toBeUndefined();
  });

  it.each(['{', '{"revoked":{}}', '{"revoked":[{"credential_id":1}],"positions":{}}', 'null'])(
    'refuses a file that is not a deny-list: %s',
    async (text) => {
      await writeFile(join(dir, 'bad.json'), text);
      await expect(loadState(join(dir, 'bad.json'))).rejects.toBeInstanceOf(StateFileError);
    },
  );
});

describe('revocation consumer example: configuration', () => {
  it('has defaults for everything', () => {
    expect(configFromEnv({})).toEqual({
      brokers: ['127.0.0.1:9092'],
      topic: 'auth.device-credentials.events.v1',
      groupId: 'revocation-consumer-example',
      clientId: 'revocation-consumer-example',
      denyListFile: undefined,
    });
  });

  it('builds the topic from the prefix, unless TOPIC names it', () => {
    expect(configFromEnv({ KAFKA_TOPIC_PREFIX: 'staging.' }).topic).toBe(
      'staging.auth.device-credentials.events.v1',
    );
    expect(configFromEnv({ KAFKA_TOPIC_PREFIX: 'staging.', TOPIC: 'mirror' }).topic).toBe('mirror');
  });

  it('reads brokers, group, client id and file', () => {
    expect(
      configFromEnv({
        KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
        KAFKA_GROUP_ID: 'sessions-revocations',
        KAFKA_CLIENT_ID: 'sessions',
        DENYLIST_FILE: '/var/lib/sessions/deny.json',
      }),
    ).toEqual({
      brokers: ['kafka-1:9092', 'kafka-2:9092'],
      topic: 'auth.device-credentials.events.v1',
      groupId: 'sessions-revocations',
      clientId: 'sessions',
      denyListFile: '/var/lib/sessions/deny.json',
    });
  });

  it.each(['', ' , ', 'kafka', 'kafka:port', 'a:1,b'])('refuses KAFKA_BROKERS=%j', (brokers) => {
    const read = () => configFromEnv({ KAFKA_BROKERS: brokers });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/KAFKA_BROKERS/);
  });
});
