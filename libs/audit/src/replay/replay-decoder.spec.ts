import { decodeForReplay } from './replay-decoder';

const envelope = {
  event_id: '0b1591a9-9290-48b2-b4df-bdad45c01c04',
  type: 'TokenRevoked',
  schema_version: 1,
  stream_id: 'dcr_R7kQ2mX9pLw4Zt1B',
  stream_version: 2,
  occurred_at: '2026-11-26T01:17:43.611Z',
  correlation_id: 'req-1',
  causation_id: null,
  previous_hash: 'p',
  hash: 'h',
  data: {
    credential_id: 'dcr_R7kQ2mX9pLw4Zt1B',
    user_id: 'auth0|1',
    client_id: 'app',
    device_name: 'phone',
    reason: 'management_api',
    actor: 'm@clients',
    revoked_at: '2026-11-26T01:17:43.620Z',
  },
};
const decode = (value: unknown) =>
  decodeForReplay({
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
  });

describe('decodeForReplay', () => {
  it('returns the envelope of a well-formed event', () => {
    expect(decode(envelope)).toEqual({ event: envelope });
  });

  it('reports, never throws, what cannot be folded', () => {
    expect(decode('not json')).toEqual({ malformed: 'message value is not JSON' });
    expect(decode({ hello: 'world' })).toEqual({ malformed: 'message is not an event envelope' });
    expect(decode({ ...envelope, type: 'TokenRenamed' })).toMatchObject({
      malformed: expect.stringMatching(/TokenRenamed/),
    });
    expect(decode({ ...envelope, schema_version: 99 })).toMatchObject({
      malformed: expect.stringMatching(/schema_version 99/),
    });
    expect(decode({ ...envelope, data: { ...envelope.data, revoked_at: undefined } })).toEqual({
      malformed: 'TokenRevoked without revoked_at',
    });
  });
});
