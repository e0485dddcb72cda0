import fc from 'fast-check';
import { replay, type CredentialEvent } from '@libs/domain';
import { envelopesOf, idTokenDelegated, tokenIssued, tokenRevoked } from '@libs/testing';
import { evolveDeviceCredential } from './device-credential.view';

const id = 'dcr_0123456789abcdef';
const who = {
  user_id: fc.constantFrom('auth0|u1', 'auth0|u2'),
  client_id: fc.constantFrom('app-1', 'app-2'),
  device_name: fc.constantFrom('Pixel 9', 'iPad'),
};
const event: fc.Arbitrary<CredentialEvent> = fc.oneof(
  fc
    .record({ ...who, scope: fc.constantFrom('openid', 'openid offline_access') })
    .map((d) => tokenIssued(id, d)),
  fc.record(who).map((d) => tokenRevoked(id, d)),
  fc.record(who).map((d) => idTokenDelegated(id, d)),
  // Issue 19 finding 1: rotations (retries of one token among them) — the row must be the decider's snapshot.
  fc
    .record({
      ...who,
      previous_token_hash: fc.constantFrom(`hash-${id}`, 'h1', 'h2'),
      token_hash: fc.constantFrom('h1', 'h2', 'h3'),
      rotated_at: fc.constantFrom('2026-11-25T10:01:00.000Z', '2026-11-25T10:02:00.000Z'),
    })
    .map((d): CredentialEvent => ({ type: 'TokenRotated', data: { credential_id: id, ...d } })),
);

/**
 * The write model (the decider's `evolve`) and the read model (the view's fold) must tell the same story
 * of any stream, also when the projector sees events again: the delegation path trusts the view.
 */
describe('decider and device-credential view agree', () => {
  it('on status, user, client, device, scope, version, exchange count and rotation state for any event sequence', () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (events, redeliveries) => {
          const envelopes = envelopesOf(id, events);
          // At-least-once delivery: some events arrive again right after themselves.
          const delivered = envelopes.flatMap((e, i) => (redeliveries.includes(i) ? [e, e] : [e]));
          const row = delivered.reduce(evolveDeviceCredential, null);
          const state = replay(events);

          if (state.status === 'none') return expect(row).toBeNull();
          expect(row).toMatchObject({
            status: state.status,
            user_id: state.userId,
            client_id: state.clientId,
            device_name: state.deviceName,
            scope: state.scope,
            version: events.length,
          });
          expect({
            token: row!.token_hash,
            previous: row!.previous_token_hash && {
              hash: row!.previous_token_hash,
              retiredAt: row!.previous_retired_at,
            },
            retries: row!.retry_count,
          }).toEqual({ token: state.token, previous: state.previous, retries: state.retries });
          const sinceIssued = events.slice(events.map((e) => e.type).lastIndexOf('TokenIssued'));
          expect(row!.delegation_count).toBe(sinceIssued.filter((e) => e.type === 'IdTokenDelegated').length);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });
});
