import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configFromEnv } from '../examples/revocation-consumer/config';
import {
  readMessage,
  type TokenExpired,
  type TokenRevoked,
  type WireMessage,
} from '../examples/revocation-consumer/contract';
import { DenyList, isExpiry } from '../examples/revocation-consumer/deny-list';
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

/** Another event of the same credential: its envelope with `type`, `schema_version` and `data` replaced. */
const event = (
  type: string,
  schemaVersion: number,
  streamVersion: number,
  data: Record<string, unknown>,
  credentialId = 'dcr_0123456789abcdef',
) => ({
  ...revoked(credentialId),
  type,
  schema_version: schemaVersion,
  stream_version: streamVersion,
  data: { credential_id: credentialId, user_id: 'auth0|u1', client_id: 'app-1', ...data },
});

const expired = (credentialId = 'dcr_0123456789abcdef', streamVersion = 3) =>
  event(
    'TokenExpired',
    1,
    streamVersion,
    {
      device_name: 'Pixel 9',
      lifetime: 'idle',
      expired_at: '2026-01-16T03:04:05.000Z',
      observed_at: '2026-01-20T08:00:00.000Z',
    },
    credentialId,
  );

// What the service publishes since issue 13 (docs/asyncapi.yaml): a rotating family's life, reused.
const rotatingFamily = (credentialId: string) => [
  event(
    'TokenIssued',
    2,
    1,
    {
      device_name: 'Pixel 9',
      scope: 'openid offline_access',
      token_hash: 'A'.repeat(43),
      issued_at: '2026-01-02T03:04:05.000Z',
      grant: 'authorization_code',
      terms: { rotating: true, leeway: 30, expires_at: '2026-02-01T03:04:05.000Z', idle_lifetime: 1296000 },
      jkt: null,
    },
    credentialId,
  ),
  event(
    'TokenRotated',
    1,
    2,
    {
      previous_token_hash: 'A'.repeat(43),
      token_hash: 'B'.repeat(43),
      rotated_at: '2026-01-03T00:00:00.000Z',
    },
    credentialId,
  ),
  event('IdTokenDelegated', 2, 3, { via: 'refresh_token', scope: 'openid' }, credentialId),
  event(
    'RefreshTokenReused',
    1,
    4,
    {
      token_hash: 'A'.repeat(43),
      retired_at: '2026-01-03T00:00:00.000Z',
      detected_at: '2026-01-04T00:00:00.000Z',
    },
    credentialId,
  ),
  {
    ...revoked(credentialId),
    stream_version: 5,
    data: {
      ...revoked(credentialId).data,
      reason: 'refresh_token_reuse',
      actor: 'system',
      revoked_at: '2026-01-04T00:00:00.000Z',
    },
  },
];

/** Reads each message as the consumer does (with or without the type header), applying what ends a credential. */
const consume = (list: DenyList, envelopes: { type: string }[], withHeaders: boolean) =>
  envelopes.map((envelope) => {
    const reading = readMessage(wire(envelope, withHeaders ? { event_type: envelope.type } : {}));
    if (reading.kind === 'revocation' || reading.kind === 'expiry') list.apply(reading.event);
    return reading.kind;
  });

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

  it('reads a TokenExpired v1 as the end of its credential, with or without headers', () => {
    const envelope = expired();
    for (const message of [wire(envelope), wire(envelope, { event_type: 'TokenExpired' })]) {
      expect(readMessage(message)).toEqual({ kind: 'expiry', event: envelope });
    }
  });

  it.each([true, false])(
    'reads the events of issue 13 without stopping or mis-reading them (type headers: %s)',
    (withHeaders) => {
      const list = new DenyList();
      const kinds = consume(list, rotatingFamily('dcr_0123456789abcdef'), withHeaders);
      // TokenIssued v2 is not an unsupported TokenRevoked; TokenRotated and RefreshTokenReused end nothing.
      expect(kinds).toEqual(['other', 'other', 'other', 'other', 'revocation']);
      expect(list.get('dcr_0123456789abcdef')).toMatchObject({
        reason: 'refresh_token_reuse',
        actor: 'system',
      });
    },
  );

  it('refuses a TokenExpired of another schema version instead of guessing its shape', () => {
    expect(readMessage(wire({ ...expired(), schema_version: 2 }))).toEqual({
      kind: 'unsupported',
      type: 'TokenExpired',
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
    [
      'TokenExpired without lifetime, expired_at',
      wire({ ...expired(), data: { ...expired().data, lifetime: undefined, expired_at: 7 } }),
    ],
    ['TokenExpired credential_id differs from stream_id', wire({ ...expired(), stream_id: 'dcr_other' })],
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
    expect(result).toMatchObject({ changed: true, entry: { ...event.data, event_id: event.event_id } });
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
    expect(list.apply(second)).toMatchObject({ changed: false, why: 'already_ended' });
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

  it('ends an expired credential like a revoked one: refused from then on, the expiry remembered', () => {
    const list = new DenyList();
    const expiry = expired('dcr_aaaaaaaaaaaaaaaa') as unknown as TokenExpired;
    expect(list.apply(expiry)).toMatchObject({ changed: true, entry: { lifetime: 'idle' } });
    expect(list.isRevoked('dcr_aaaaaaaaaaaaaaaa')).toBe(true);
    const entry = list.get('dcr_aaaaaaaaaaaaaaaa')!;
    expect(isExpiry(entry)).toBe(true);
    expect(Object.keys(entry).sort()).toEqual(
      [
        'client_id',
        'credential_id',
        'device_name',
        'event_id',
        'expired_at',
        'lifetime',
        'observed_at',
        'user_id',
      ].sort(),
    );
    expect(list.apply(JSON.parse(JSON.stringify(expiry)))).toMatchObject({
      changed: false,
      why: 'duplicate',
    });
    // The service ends a credential once; a revocation after its expiry changes nothing.
    expect(list.apply(asEvent(revoked('dcr_aaaaaaaaaaaaaaaa')))).toMatchObject({
      changed: false,
      why: 'already_ended',
    });
    expect(isExpiry(list.get('dcr_aaaaaaaaaaaaaaaa')!)).toBe(true);
    expect(isExpiry(list.apply(asEvent(revoked('dcr_bbbbbbbbbbbbbbbb'))).entry)).toBe(false);
    expect(list.size).toBe(2);
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
    list.apply(expired('dcr_aaaaaaaaaaaaaaaa') as unknown as TokenExpired);
    const state = { revoked: list.entries(), positions: { topic: { '0': '12', '2': '3' } } };
    await saveState(join(dir, 'deny.json'), state);
    await expect(loadState(join(dir, 'deny.json'))).resolves.toEqual(state);
    expect(JSON.parse(await readFile(join(dir, 'deny.json'), 'utf8'))).toEqual(state);
    const restored = new DenyList((await loadState(join(dir, 'deny.json')))!.revoked);
    expect(isExpiry(restored.get('dcr_aaaaaaaaaaaaaaaa')!)).toBe(true);
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
