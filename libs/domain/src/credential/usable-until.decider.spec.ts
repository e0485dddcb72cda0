import {
  decide,
  initialState,
  refusalOf,
  replay,
  usableUntil,
  type CredentialState,
} from './credential.decider';
import { LEGACY_REFRESH_TOKEN_POLICY, termsOf, type RefreshTokenPolicy } from './refresh-token-policy';
import type { CredentialEvent, IdTokenDelegated, TokenRotated } from '../events';

// What introspection answers as a refresh token's `exp`: the end `refusalOf` would enforce, never later.
const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const who = { credential_id: 'dcr_0123', user_id: 'auth0|u', client_id: 'spa' };

const expiring = (changes: Partial<RefreshTokenPolicy>): RefreshTokenPolicy => ({
  ...LEGACY_REFRESH_TOKEN_POLICY,
  expiration_type: 'expiring',
  token_lifetime: 86_400,
  infinite_token_lifetime: false,
  idle_token_lifetime: 3_600,
  infinite_idle_token_lifetime: false,
  ...changes,
});
const ROTATING = expiring({ rotation_type: 'rotating', leeway: 30 });

const issued = (policy: RefreshTokenPolicy) =>
  decide(
    {
      type: 'IssueToken',
      credentialId: who.credential_id,
      userId: who.user_id,
      clientId: who.client_id,
      deviceName: 'Firefox',
      scope: 'openid offline_access',
      tokenHash: 'h0',
      grant: 'password',
      terms: termsOf(policy, T0),
      now: T0,
    },
    initialState,
  );
const rotated = (previous: string, next: string, when: number): TokenRotated => ({
  type: 'TokenRotated',
  data: { ...who, previous_token_hash: previous, token_hash: next, rotated_at: at(when).toISOString() },
});
const delegated = (when: number): IdTokenDelegated => ({
  type: 'IdTokenDelegated',
  data: {
    ...who,
    target: 'spa',
    api_type: 'app',
    id_token_jti: `jti-${when}`,
    expires_at: at(when + 36_000).toISOString(),
    delegated_at: at(when).toISOString(),
    via: 'refresh_token',
    scope: 'openid',
  },
});

type Known = Extract<CredentialState, { credentialId: string }>;
const stateOf = (events: CredentialEvent[]) => replay(events) as Known;

describe('usableUntil: when a refresh token in force runs out of time', () => {
  it('never, for a legacy (non-expiring) token: only a revocation ends it', () => {
    expect(usableUntil(stateOf(issued(LEGACY_REFRESH_TOKEN_POLICY)), 'h0')).toBeNull();
  });

  it('at the absolute end when the idle lifetime is infinite', () => {
    const state = stateOf(issued(expiring({ infinite_idle_token_lifetime: true })));
    expect(usableUntil(state, 'h0')).toEqual(at(86_400));
  });

  it('at the idle end, counted from the last use, when that comes first', () => {
    expect(usableUntil(stateOf(issued(expiring({}))), 'h0')).toEqual(at(3_600));
    const used = stateOf([...issued(expiring({})), delegated(600)]);
    expect(usableUntil(used, 'h0')).toEqual(at(4_200));
  });

  it('at the absolute end once the idle end would pass it', () => {
    const state = stateOf([...issued(expiring({})), delegated(85_000)]);
    expect(usableUntil(state, 'h0')).toEqual(at(86_400));
  });

  it("a rotating family's current token: its lifetimes; a retired one: the end of its leeway", () => {
    const state = stateOf([...issued(ROTATING), rotated('h0', 'h1', 60), delegated(60)]);
    expect(usableUntil(state, 'h1')).toEqual(at(3_660));
    expect(usableUntil(state, 'h0')).toEqual(at(90));
  });

  it('agrees with refusalOf: usable just before the end, refused just after it', () => {
    const cases: Array<[CredentialEvent[], string]> = [
      [issued(expiring({ infinite_idle_token_lifetime: true })), 'h0'],
      [[...issued(expiring({})), delegated(600)], 'h0'],
      [[...issued(expiring({})), delegated(85_000)], 'h0'],
      [[...issued(ROTATING), rotated('h0', 'h1', 60), delegated(60)], 'h0'],
      [[...issued(ROTATING), rotated('h0', 'h1', 60), delegated(60)], 'h1'],
    ];
    for (const [events, tokenHash] of cases) {
      const state = stateOf(events);
      const end = usableUntil(state, tokenHash)!.getTime();
      const presented = (ms: number) => refusalOf(state, 'spa', undefined, { tokenHash, now: new Date(ms) });
      expect({ tokenHash, before: presented(end - 1), after: presented(end + 1) }).toEqual({
        tokenHash,
        before: null,
        after: expect.stringMatching(/^(expired|reused)$/),
      });
    }
  });
});
