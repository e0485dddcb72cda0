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
);

/**
 * The write model (the decider's `evolve`) and the read model (the view's fold) must tell the same story
 * of any stream, also when the projector sees events again: the delegation path trusts the view.
 */
describe('decider and device-credential view agree', () => {
  it('on status, user, client, device, scope, version and exchange count for any event sequence', () => {
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
          const sinceIssued = events.slice(events.map((e) => e.type).lastIndexOf('TokenIssued'));
          expect(row!.delegation_count).toBe(sinceIssued.filter((e) => e.type === 'IdTokenDelegated').length);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });
});
