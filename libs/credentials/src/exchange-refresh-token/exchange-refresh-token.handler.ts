import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '@libs/config';
import {
  credentialDecider,
  DomainError,
  initialState,
  RefreshTokenRefused,
  refusalOf,
  refusalRecorded,
  type CredentialState,
} from '@libs/domain';
import { TokenSigner, TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { Metrics } from '@libs/platform';
import {
  FailedLookupLimiter,
  LimitStore,
  randomToken,
  RateLimiter,
  SecretKeys,
  type RateLimitDecision,
} from '@libs/security';
import {
  ClientCache,
  CREDENTIAL_CLAIM,
  exchangeScope,
  IdTokenKeys,
  idTokenClaims,
  isLegacyClient,
  intersectScope,
  presentedScope,
  scopeValues,
  UserRepository,
  type Client,
  type User,
} from '@libs/tenants';
import { CredentialResolver } from '../credential-resolver';
import { IdTokenProvenance } from '../id-token-provenance/id-token-provenance';
import { CommandRunner, type LoadedStream } from '../runner/command-runner';
import { DelegationFailureLog } from './delegation-failure-log';
import { assertTargetAllows } from './delegation-target';
import {
  ExchangeRefreshToken,
  type ExchangeRequest,
  type ExchangeResult,
} from './exchange-refresh-token.command';
import {
  exchangeOutcome,
  ProofOfPossessionRequired,
  RateLimited,
  ScopeNotGranted,
  UnknownTarget,
} from './exchange-refusals';

type ActiveState = Extract<CredentialState, { credentialId: string }>;

/** What the presented token grants: the credential behind it (if any), its user, its scope, its end. */
interface Grant {
  /** The credential's stream as decided on; none for an id_token bound to no credential. */
  stream?: LoadedStream<CredentialState> & { state: ActiveState };
  /** The keyed hash of the refresh token presented; none when an id_token was. */
  tokenHash?: string;
  /** When the store says that token was retired, for an older token of its family (`Presentation`). */
  retiredAt?: string;
  user: User;
  scope: string;
  /** Epoch seconds the new id_token must not outlive (a presented id_token's own `exp`). */
  notAfter?: number;
}

/**
 * The hot path shared by `/delegation` (both forms) and the `refresh_token` grant: resolve the presented
 * token against the view and the newer events, check the user, sign the id_token, record
 * `IdTokenDelegated`, and only then answer (DESIGN guarantees 1 and 3).
 *
 * An id_token bound to a credential (`CREDENTIAL_CLAIM`) is resolved like its refresh token: refused once
 * that is revoked, renewed only by the credential's own client, recorded on its stream — refused for a
 * rotating family, and no use of the family (its idle lifetime keeps counting). An unbound one (a login
 * without `offline_access`) has no stream to record on: its renewal records no event (an HS256 one must
 * carry a recorded jti, and its renewal's is recorded: `IdTokenProvenance`). Either way the new token
 * never outlives the presented one (`exp` ≤ the presented `exp`), so it cannot be renewed forever.
 */
@CommandHandler(ExchangeRefreshToken)
export class ExchangeRefreshTokenHandler implements ICommandHandler<ExchangeRefreshToken> {
  private readonly perUser: RateLimiter;
  /** Failed look-ups per address and per client: guessing tokens is slowed down. */
  private readonly failures: FailedLookupLimiter;

  constructor(
    private readonly resolver: CredentialResolver,
    private readonly runner: CommandRunner,
    private readonly users: UserRepository,
    private readonly clients: ClientCache,
    private readonly signer: TokenSigner,
    private readonly verifier: TokenVerifier,
    private readonly idTokenKeys: IdTokenKeys,
    private readonly failureLog: DelegationFailureLog,
    private readonly metrics: Metrics,
    private readonly keys: SecretKeys,
    private readonly provenance: IdTokenProvenance,
    config: AppConfig,
    limits: LimitStore,
  ) {
    this.perUser = new RateLimiter(config.rateLimits.delegationPerMinute, 60_000, {
      store: limits,
      name: 'delegations-user',
    });
    this.failures = new FailedLookupLimiter(config.rateLimits.failuresPerMinute, limits);
  }

  /**
   * The budget refused requests from `ip` count against (failed look-ups per address and minute): what
   * `/delegation` reports in its X-RateLimit-* headers when it refuses before knowing the user.
   */
  refusalBudget(ip: string): RateLimitDecision {
    return this.failures.addressBudget(ip);
  }

  /** Exchanges the presented token, counting the outcome (`token_exchanges_total`). */
  async execute({ request, context }: ExchangeRefreshToken): Promise<ExchangeResult> {
    const counted = (labels: { outcome: string; reason: string }) =>
      this.metrics.exchanges.inc({ via: request.via, ...labels });
    return this.exchange(request, context).then(
      (result) => (counted({ outcome: 'ok', reason: '' }), result),
      (error: unknown) => (counted(exchangeOutcome(error)), Promise.reject(error)),
    );
  }

  private async exchange(
    request: ExchangeRequest,
    context: ExchangeRefreshToken['context'],
  ): Promise<ExchangeResult> {
    const limited = await this.failures.refusal(request.ip, request.client.clientId);
    if (limited) throw new RateLimited(limited);
    // Auth0's `require_proof_of_possession`: no token for such a client without a proof (issue 19 finding 7).
    if (request.client.requireProofOfPossession && request.dpopJkt === undefined) {
      throw new ProofOfPossessionRequired();
    }

    const grant = await this.admit(request).catch(async (caught: unknown) => {
      const error = await this.ownerDeleted(caught);
      if (error instanceof DomainError)
        await this.failures.recordFailure(request.ip, request.client.clientId);
      await this.failureLog.record(error, request, context);
      throw error;
    });
    const { stream, user } = grant;

    const rateLimit = await this.perUser.hit(`${request.ip}|${user.userId}`);
    if (!rateLimit.allowed) throw new RateLimited(rateLimit);

    const targetId = request.target ?? request.client.clientId;
    const target = targetId === request.client.clientId ? request.client : await this.clients.get(targetId);
    if (!target) throw new UnknownTarget(targetId);
    assertTargetAllows(target, request.client, request.via);

    if (request.strictScope && request.scope) {
      const granted = scopeValues(grant.scope);
      const extra = [...scopeValues(request.scope)].filter((s) => !granted.has(s));
      if (extra.length > 0) throw new ScopeNotGranted(extra);
    }
    const scope = exchangeScope(request.scope, grant.scope);
    const signed = await this.signer
      .sign(
        idTokenClaims(user, scope, {
          aud: target.clientId,
          azp: request.client.clientId,
          credentialId: stream?.state.credentialId,
          // The token is the target's: its claims are too.
          legacy: isLegacyClient(target),
        }),
        // Signed for the target: with the target's secret when it uses HS256 (as Auth0 documents).
        { ...this.idTokenKeys.signOptions(target), notAfter: grant.notAfter },
      )
      .catch((error: unknown) => {
        // The presented id_token expired between its verification and this signature.
        if (error instanceof RangeError && grant.notAfter !== undefined) {
          throw new RefreshTokenRefused('invalid_id_token');
        }
        throw error;
      });
    await this.provenance.recordSigned(signed, target, user.userId, stream?.state.clientId);
    // A rotating family's exchange at the token endpoint issues its next token (`/delegation` cannot
    // return one: the decider refuses a rotating token there).
    const next =
      stream?.state.terms.rotating && grant.tokenHash && request.via === 'refresh_token'
        ? randomToken(32)
        : undefined;
    if (stream) {
      // Decided again on the stream's latest events: a revocation committed since the look-up refuses it.
      const now = new Date();
      await this.runner
        .handle(
          credentialDecider,
          stream.state.credentialId,
          {
            type: 'DelegateIdToken',
            presentedBy: request.client.clientId,
            target: target.clientId,
            apiType: request.apiType,
            idTokenJti: signed.jti,
            expiresAt: new Date(signed.exp * 1000),
            // The id_token form is no use of the refresh token (finding 6): recorded as such.
            via: grant.tokenHash === undefined ? 'delegation_id_token' : request.via,
            scope,
            presentedTokenHash: grant.tokenHash,
            presentedTokenRetiredAt: grant.retiredAt,
            dpopJkt: request.dpopJkt,
            rotateTo: next === undefined ? undefined : this.keys.refreshTokenHash(next),
            now,
          },
          { context, from: stream },
        )
        .then(({ state, events }) => {
          // An expiry observed or a reuse detected is recorded, and the exchange refused.
          const recorded = refusalRecorded(events);
          if (recorded) throw new RefreshTokenRefused(recorded, state as ActiveState);
        })
        .catch(async (error: unknown) => {
          await this.failureLog.record(error, request, context);
          throw error;
        });
    }
    return {
      idToken: signed.token,
      expiresIn: signed.exp - signed.iat,
      scope,
      user,
      credential: stream?.state,
      refreshToken: next,
      rateLimit,
    };
  }

  private async admit(request: ExchangeRequest): Promise<Grant> {
    const grant = await (request.idToken !== undefined
      ? this.admitIdToken(request.idToken, request.client)
      : this.admitRefreshToken(request.refreshToken, request.client.clientId));
    // A family issued as a bearer token before its client required proof of possession stays one: any
    // key's proof would exchange it. The decider checks a bound family's key; this, the client's policy.
    if (request.client.requireProofOfPossession && grant.stream && grant.stream.state.jkt === null) {
      throw new RefreshTokenRefused('dpop_key_mismatch', grant.stream.state);
    }
    return grant;
  }

  /**
   * The token's stream, credential and user when the client may use it now; otherwise rejects with
   * `RefreshTokenRefused` and the decider's reason. A blocked or deleted user's tokens stop working
   * before their revocation events are recorded.
   */
  private async admitRefreshToken(refreshToken: string, clientId: string): Promise<Grant> {
    const stream = await this.resolver.byRefreshToken(refreshToken);
    const { state, user } = await this.cleared(stream?.state ?? initialState, clientId, stream?.owner);
    return {
      stream: { ...stream!, state },
      tokenHash: stream?.tokenHash,
      retiredAt: stream?.retiredAt,
      user,
      scope: state.scope,
    };
  }

  /**
   * An id_token of this tenant issued to `client`. Bound to a credential, it grants what that
   * credential still grants, narrowed to the token's own scope; unbound, its own scope until its own `exp`.
   */
  private async admitIdToken(idToken: string, client: Client): Promise<Grant> {
    let claims;
    try {
      // An HS256 client's id_tokens are verified with its own secret, never with a key the token names.
      const hs256Key = this.idTokenKeys.verificationKey(client);
      claims = await this.verifier.verify(idToken, { audience: client.clientId, hs256Key });
    } catch (error) {
      if (error instanceof TokenVerificationError) throw new RefreshTokenRefused('invalid_id_token');
      throw error;
    }
    const credentialId = claims[CREDENTIAL_CLAIM];
    if (
      !claims.sub ||
      claims.exp === undefined ||
      (credentialId !== undefined && typeof credentialId !== 'string')
    ) {
      throw new RefreshTokenRefused('invalid_id_token');
    }
    const scope = presentedScope(claims);
    if (credentialId === undefined) {
      // Issue 19 finding 9: an unbound HS256 token is ours only if we recorded its jti.
      if (!(await this.provenance.isRecorded(idToken, claims, client.clientId))) {
        throw new RefreshTokenRefused('invalid_id_token');
      }
      const user = await this.users.findById(claims.sub);
      if (!user || user.blocked) throw new RefreshTokenRefused(user ? 'user_blocked' : 'user_missing');
      return { user, scope, notAfter: claims.exp };
    }
    const stream = await this.resolver.byId(credentialId);
    const { state, user } = await this.cleared(stream.state, client.clientId, stream.owner);
    if (state.userId !== claims.sub) throw new RefreshTokenRefused('invalid_id_token', state);
    // Re-targeting, never extending (issue 19 finding 6): the new token ends when the presented one does.
    const bound = { stream: { ...stream, state }, user, scope: intersectScope(scope, state.scope) };
    return { ...bound, notAfter: claims.exp };
  }

  /**
   * The credential and its user when `clientId` may use it now: the decider's `refusalOf` decides.
   * `owner` is the user as read with the credential's view row (undefined: not read, ask the repository).
   */
  private async cleared(
    state: CredentialState,
    clientId: string,
    owner?: User | null,
  ): Promise<{ state: ActiveState; user: User }> {
    // The credential's rules first: its user is looked up only for a token the client may use.
    const usable = state.status !== 'none' && refusalOf(state, clientId) === null;
    let user: User | null | undefined;
    if (usable) user = owner === undefined ? await this.users.findById(state.userId) : owner;
    const refusal = refusalOf(state, clientId, user);
    if (state.status !== 'none' && user && !refusal) return { state, user };
    throw new RefreshTokenRefused(refusal ?? 'unknown_token', state.status === 'none' ? undefined : state);
  }

  /**
   * Deleting a user revokes their tokens, so a deleted user's token is usually refused as revoked: when
   * its owner no longer exists, the refusal says so (Auth0 answers that case with its own text). Only a
   * genuine token of this client gets this far, so a guesser learns nothing from it.
   */
  private async ownerDeleted(error: unknown): Promise<unknown> {
    if (!(error instanceof RefreshTokenRefused) || error.reason !== 'revoked' || !error.credential)
      return error;
    const owner = await this.users.findById(error.credential.userId);
    return owner ? error : new RefreshTokenRefused('user_missing', error.credential);
  }
}
