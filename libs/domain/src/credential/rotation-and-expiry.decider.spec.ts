import { deciderSpec } from '@libs/testing';
import {
  decide,
  evolve,
  initialState,
  refusalOf,
  refusalRecorded,
  replay,
  type DelegateIdToken,
  type IssueToken,
} from './credential.decider';
import {
  termsOf,
  LEGACY_REFRESH_TOKEN_POLICY,
  MAX_LEEWAY,
  MAX_LEEWAY_RETRIES,
  policyProblem,
  type RefreshTokenPolicy,
} from './refresh-token-policy';
import type {
  CredentialEvent,
  IdTokenDelegated,
  RefreshTokenReused,
  TokenExpired,
  TokenIssued,
  TokenRevoked,
  TokenRotated,
} from '../events';

// Issue 13: rotation with reuse detection, absolute and idle expiry — Given/When/Then on the decider.
const spec = deciderSpec({ decide, evolve, initialState });
const T0 = new Date('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const ID = 'dcr_00112233445566778899aabbccddeeff';
const who = { credential_id: ID, user_id: 'auth0|u', client_id: 'spa' };

const ROTATING: RefreshTokenPolicy = {
  ...LEGACY_REFRESH_TOKEN_POLICY,
  rotation_type: 'rotating',
  expiration_type: 'expiring',
  leeway: 30,
  token_lifetime: 86_400,
  infinite_token_lifetime: false,
  idle_token_lifetime: 3_600,
  infinite_idle_token_lifetime: false,
};

const issue = (policy: RefreshTokenPolicy): IssueToken => ({
  type: 'IssueToken',
  credentialId: ID,
  userId: 'auth0|u',
  clientId: 'spa',
  deviceName: 'Firefox',
  scope: 'openid offline_access',
  tokenHash: 'h0',
  grant: 'authorization_code',
  terms: termsOf(policy, T0),
  now: T0,
});
const issuedWith = (policy: RefreshTokenPolicy) => decide(issue(policy), initialState)[0] as TokenIssued;
const rotatingIssued = issuedWith(ROTATING);

/** The exchange of `tokenHash` at `when` seconds, rotating to `next` when given. */
const exchange = (tokenHash: string, when: number, next?: string): DelegateIdToken => ({
  type: 'DelegateIdToken',
  presentedBy: 'spa',
  target: 'spa',
  apiType: 'app',
  idTokenJti: `jti-${when}`,
  expiresAt: at(when + 36_000),
  via: 'refresh_token',
  scope: 'openid',
  presentedTokenHash: tokenHash,
  rotateTo: next,
  now: at(when),
});
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

describe('IssueToken records the terms of the client policy', () => {
  it('a rotating, expiring policy: rotation, leeway, absolute end and idle lifetime', () => {
    expect(rotatingIssued.data.terms).toEqual({
      rotating: true,
      leeway: 30,
      expires_at: at(86_400).toISOString(),
      idle_lifetime: 3_600,
    });
  });
  it('the legacy policy: no rotation, no expiry, no binding', () => {
    const d = issuedWith(LEGACY_REFRESH_TOKEN_POLICY).data;
    expect(d.terms).toEqual({ rotating: false, leeway: 0, expires_at: null, idle_lifetime: null });
    expect(d.jkt).toBeNull();
  });
});

describe('rotation with reuse detection', () => {
  it('given a fresh family, using its token retires it and issues the next one', () =>
    spec
      .given([rotatingIssued])
      .when(exchange('h0', 60, 'h1'))
      .then([rotated('h0', 'h1', 60), delegated(60)]));

  it('the next token is then usable, and rotates in turn', () =>
    spec
      .given([rotatingIssued, rotated('h0', 'h1', 60), delegated(60)])
      .when(exchange('h1', 120, 'h2'))
      .then([rotated('h1', 'h2', 120), delegated(120)]));

  it('within the leeway a retired token yields one more token of the family (a retry), nothing revoked', () =>
    spec
      .given([rotatingIssued, rotated('h0', 'h1', 60), delegated(60)])
      .when(exchange('h0', 90, 'h1b'))
      .then([rotated('h0', 'h1b', 90), delegated(90)]));

  it('the leeway counts from the first retirement, not from the retry', () => {
    const state = replay([rotatingIssued, rotated('h0', 'h1', 60), delegated(60), rotated('h0', 'h1b', 80)]);
    expect(state.status === 'active' ? state.previous : undefined).toEqual({
      hash: 'h0',
      retiredAt: at(60).toISOString(),
    });
  });

  it('after the leeway, a retired token is a reuse: recorded, and the whole family revoked', () => {
    const reused: RefreshTokenReused = {
      type: 'RefreshTokenReused',
      data: { ...who, token_hash: 'h0', retired_at: at(60).toISOString(), detected_at: at(91).toISOString() },
    };
    const revoked: TokenRevoked = {
      type: 'TokenRevoked',
      data: {
        ...who,
        device_name: 'Firefox',
        reason: 'refresh_token_reuse',
        actor: 'system',
        revoked_at: at(91).toISOString(),
      },
    };
    spec
      .given([rotatingIssued, rotated('h0', 'h1', 60), delegated(60)])
      .when(exchange('h0', 91, 'h2'))
      .then([reused, revoked]);
  });

  it('with leeway 0 any second use of a retired token is a reuse, even in the same millisecond', () => {
    const strict = issuedWith({ ...ROTATING, leeway: 0 });
    const events = decide(exchange('h0', 60, 'h1b'), replay([strict, rotated('h0', 'h1', 60)]));
    expect(events.map((e) => e.type)).toEqual(['RefreshTokenReused', 'TokenRevoked']);
    expect(refusalRecorded(events)).toBe('reused');
  });

  it('after the reuse, every token of the family is refused — the newest too', () =>
    spec
      .given([
        rotatingIssued,
        rotated('h0', 'h1', 60),
        ...decide(exchange('h0', 200, 'x'), replay([rotatingIssued, rotated('h0', 'h1', 60)])),
      ])
      .when(exchange('h1', 201, 'h2'))
      .thenThrows('invalid_refresh_token'));

  it('a hash the family never issued is unknown', () =>
    spec
      .given([rotatingIssued])
      .when(exchange('other', 10, 'h1'))
      .thenThrows('invalid_refresh_token'));

  it('a rotating token cannot be exchanged where no new token can be returned (/delegation)', () =>
    spec
      .given([rotatingIssued])
      .when({ ...exchange('h0', 10), via: 'delegation' })
      .thenThrows('invalid_refresh_token'));

  it('a non-rotating token is exchanged any number of times and never rotates', () => {
    const legacy = issuedWith(LEGACY_REFRESH_TOKEN_POLICY);
    const events = decide(exchange('h0', 10, 'ignored'), replay([legacy, delegated(5)]));
    expect(events.map((e) => e.type)).toEqual(['IdTokenDelegated']);
  });
});

describe('absolute and idle expiry', () => {
  const expired = (lifetime: 'absolute' | 'idle', end: number, observed: number): TokenExpired => ({
    type: 'TokenExpired',
    data: {
      ...who,
      device_name: 'Firefox',
      lifetime,
      expired_at: at(end).toISOString(),
      observed_at: at(observed).toISOString(),
    },
  });

  it('idle: a token unused for its idle lifetime expires (recorded, exchange refused)', () =>
    spec
      .given([rotatingIssued])
      .when(exchange('h0', 3_600, 'h1'))
      .then([expired('idle', 3_600, 3_600)]));

  it('idle counts from the last exchange (a delegation or a rotation)', () =>
    spec
      .given([rotatingIssued, rotated('h0', 'h1', 3_000), delegated(3_000)])
      .when(exchange('h1', 6_599, 'h2'))
      .then([rotated('h1', 'h2', 6_599), delegated(6_599)]));

  it('absolute: the family ends at its lifetime however active it is', () => {
    const busy: CredentialEvent[] = [rotatingIssued];
    let current = 'h0';
    for (let t = 3_000; t < 86_400; t += 3_000) {
      busy.push(rotated(current, `h${t}`, t), delegated(t));
      current = `h${t}`;
    }
    spec
      .given(busy)
      .when(exchange(current, 86_400, 'z'))
      .then([expired('absolute', 86_400, 86_400)]);
  });

  it('once expired, the credential is refused without recording again, and cannot be revoked', () => {
    const history = [rotatingIssued, expired('idle', 3_600, 4_000)];
    spec
      .given(history)
      .when(exchange('h0', 4_001, 'h1'))
      .thenThrows('invalid_refresh_token');
    spec
      .given(history)
      .when({ type: 'RevokeToken', reason: 'management_api', actor: 'a', now: at(5_000) })
      .then([]);
    expect(refusalOf(replay(history), 'spa')).toBe('expired');
  });

  it('expiry without rotation: an expiring legacy-style token expires too', () => {
    const expiring = issuedWith({
      ...LEGACY_REFRESH_TOKEN_POLICY,
      expiration_type: 'expiring',
      infinite_token_lifetime: false,
      token_lifetime: 100,
    });
    spec
      .given([expiring])
      .when({ ...exchange('h0', 100), via: 'delegation' })
      .then([expired('absolute', 100, 100)]);
  });

  it('refusalOf with a presentation says what the exchange would decide (introspection uses it)', () => {
    const state = replay([rotatingIssued, rotated('h0', 'h1', 60)]);
    expect(refusalOf(state, 'spa', undefined, { tokenHash: 'h1', now: at(61) })).toBeNull();
    expect(refusalOf(state, 'spa', undefined, { tokenHash: 'h0', now: at(61) })).toBeNull(); // within leeway
    expect(refusalOf(state, 'spa', undefined, { tokenHash: 'h0', now: at(100) })).toBe('reused');
    expect(refusalOf(state, 'spa', undefined, { tokenHash: 'h1', now: at(60 + 3_600) })).toBe('expired');
  });
});

describe('DPoP-bound families (RFC 9449)', () => {
  const bound = decide({ ...issue(ROTATING), jkt: 'key-1' }, initialState)[0] as TokenIssued;

  it('are exchanged with a proof by their key only', () => {
    const events = decide({ ...exchange('h0', 60, 'h1'), dpopJkt: 'key-1' }, replay([bound]));
    expect(events.map((e) => e.type)).toEqual(['TokenRotated', 'IdTokenDelegated']);
    spec
      .given([bound])
      .when(exchange('h0', 60, 'h1'))
      .thenThrows('invalid_refresh_token');
    spec
      .given([bound])
      .when({ ...exchange('h0', 60, 'h1'), dpopJkt: 'key-2' })
      .thenThrows('invalid_refresh_token');
  });

  it('a retired token without the key decides nothing: no reuse recorded, the family stays', () =>
    spec
      .given([bound, rotated('h0', 'h1', 60), delegated(60)])
      .when(exchange('h0', 500, 'h2'))
      .thenThrows('invalid_refresh_token'));
});

describe('issue 19 finding 5: one active token per family; only the previous one may be retried', () => {
  const reuse = (token: string, retired: number, when: number): CredentialEvent[] => [
    {
      type: 'RefreshTokenReused',
      data: {
        ...who,
        token_hash: token,
        retired_at: at(retired).toISOString(),
        detected_at: at(when).toISOString(),
      },
    },
    {
      type: 'TokenRevoked',
      data: {
        ...who,
        device_name: 'Firefox',
        reason: 'refresh_token_reuse',
        actor: 'system',
        revoked_at: at(when).toISOString(),
      },
    },
  ];
  /** An exchange of an older token of the family, as the store's index answers it (retired when). */
  const older = (tokenHash: string, retired: number, when: number): DelegateIdToken => ({
    ...exchange(tokenHash, when, 'x'),
    presentedTokenRetiredAt: at(retired).toISOString(),
  });

  it('issue 19 finding 5: the second-to-last token within the leeway is a reuse: the family is revoked', () =>
    spec
      .given([rotatingIssued, rotated('h0', 'h1', 60), rotated('h1', 'h2', 70)])
      .when(older('h0', 60, 75))
      .then(reuse('h0', 60, 75)));

  it("issue 19 finding 5: a retry's new token replaces the earlier successor, which is then a reuse", () => {
    const history = [rotatingIssued, rotated('h0', 'h1', 60), delegated(60), rotated('h0', 'h1b', 65)];
    spec
      .given(history)
      .when(older('h1', 65, 70))
      .then(reuse('h1', 65, 70));
    spec
      .given(history)
      .when(exchange('h1b', 70, 'h2'))
      .then([rotated('h1b', 'h2', 70), delegated(70)]);
    // The previous token is still the one retried, its leeway from its first retirement.
    expect(replay(history)).toMatchObject({
      token: 'h1b',
      previous: { hash: 'h0', retiredAt: at(60).toISOString() },
    });
  });

  it(`issue 19 finding 5: the previous token is retried at most ${MAX_LEEWAY_RETRIES} times; then refused, the family kept`, () => {
    const history: CredentialEvent[] = [rotatingIssued, rotated('h0', 'h1', 60)];
    for (let i = 1; i <= MAX_LEEWAY_RETRIES; i++) history.push(rotated('h0', `h1-${i}`, 60 + i));
    spec
      .given(history.slice(0, -1))
      .when(exchange('h0', 70, 'h1-last'))
      .then([rotated('h0', 'h1-last', 70), delegated(70)]);
    expect(refusalOf(replay(history), 'spa', undefined, { tokenHash: 'h0', now: at(70) })).toBe(
      'retry_limit',
    );
    spec
      .given(history)
      .when(exchange('h0', 70, 'h1-more'))
      .thenThrows('invalid_refresh_token');
    // The current token still works.
    spec
      .given(history)
      .when(exchange(`h1-${MAX_LEEWAY_RETRIES}`, 70, 'h2'))
      .then([rotated(`h1-${MAX_LEEWAY_RETRIES}`, 'h2', 70), delegated(70)]);
  });

  it(`issue 19 finding 5: a leeway recorded above ${MAX_LEEWAY} s counts as ${MAX_LEEWAY} s`, () => {
    const generous = rotatingIssued.data.terms;
    const recorded: TokenIssued = {
      ...rotatingIssued,
      data: { ...rotatingIssued.data, terms: { ...generous, leeway: 3_600 } },
    };
    const history = [recorded, rotated('h0', 'h1', 60)];
    expect(
      refusalOf(replay(history), 'spa', undefined, { tokenHash: 'h0', now: at(60 + MAX_LEEWAY) }),
    ).toBeNull();
    expect(refusalOf(replay(history), 'spa', undefined, { tokenHash: 'h0', now: at(61 + MAX_LEEWAY) })).toBe(
      'reused',
    );
    expect(termsOf({ ...ROTATING, leeway: 3_600 }, T0).leeway).toBe(MAX_LEEWAY);
  });

  it('issue 19 finding 5: a policy is refused with a leeway over the cap, or rotating with both lifetimes infinite', () => {
    expect(policyProblem({ ...ROTATING, leeway: MAX_LEEWAY })).toBeNull();
    expect(policyProblem({ ...ROTATING, leeway: MAX_LEEWAY + 1 })).toMatch(/leeway/);
    expect(
      policyProblem({ ...ROTATING, infinite_token_lifetime: true, infinite_idle_token_lifetime: true }),
    ).toMatch(/infinite/);
    expect(policyProblem({ ...ROTATING, infinite_token_lifetime: true })).toBeNull();
  });
});

describe("issue 19 finding 6: /delegation's id_token form on a credential's stream", () => {
  /** The id_token form: an id_token bound to the credential presented, no refresh token. */
  const renewal = (when: number): DelegateIdToken => ({
    ...exchange('unused', when),
    presentedTokenHash: undefined,
    via: 'delegation_id_token',
  });
  const idle = issuedWith({ ...ROTATING, rotation_type: 'non-rotating', idle_token_lifetime: 100 });

  it('issue 19 finding 6: is refused for a rotating family, as the refresh-token form at /delegation is', () =>
    spec.given([rotatingIssued]).when(renewal(10)).thenThrows('invalid_refresh_token'));

  it('issue 19 finding 6: is recorded, but is no use of the family: the idle lifetime keeps counting', () => {
    const renewed = decide(renewal(60), replay([idle]));
    expect(renewed).toMatchObject([{ type: 'IdTokenDelegated', data: { via: 'delegation_id_token' } }]);
    expect(refusalOf(replay([idle, ...renewed]), 'spa', undefined, { tokenHash: 'h0', now: at(100) })).toBe(
      'expired',
    );
    // A refresh-token exchange is a use.
    const used = decide({ ...exchange('h0', 60), via: 'delegation' }, replay([idle]));
    expect(
      refusalOf(replay([idle, ...used]), 'spa', undefined, { tokenHash: 'h0', now: at(100) }),
    ).toBeNull();
  });
});
