import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '@libs/config';
import { credentialDecider, DomainError, initialState, RefreshTokenRefused, refusalOf } from '@libs/domain';
import { TokenSigner } from '@libs/jwt';
import { FailedLookupLimiter, RateLimiter } from '@libs/security';
import { ClientCache, exchangeScope, idTokenClaims, scopeValues, UserRepository } from '@libs/tenants';
import { CredentialResolver } from '../credential-resolver';
import { CommandRunner } from '../runner/command-runner';
import { DelegationFailureLog } from './delegation-failure-log';
import {
  ExchangeRefreshToken,
  type ExchangeRequest,
  type ExchangeResult,
} from './exchange-refresh-token.command';
import { RateLimited, ScopeNotGranted, UnknownTarget } from './exchange-refusals';

/**
 * The hot path shared by `/delegation` and the `refresh_token` grant: resolve the token against the view
 * and the newer events, check the user, sign the id_token, record `IdTokenDelegated`, and only then
 * answer (DESIGN guarantees 1 and 3).
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
    private readonly failureLog: DelegationFailureLog,
    config: AppConfig,
  ) {
    this.perUser = new RateLimiter(config.rateLimits.delegationPerMinute, 60_000);
    this.failures = new FailedLookupLimiter(config.rateLimits.failuresPerMinute);
  }

  async execute({ request, context }: ExchangeRefreshToken): Promise<ExchangeResult> {
    const limited = this.failures.refusal(request.ip, request.client.clientId);
    if (limited) throw new RateLimited(limited);

    const { stream, credential, user } = await this.admit(request).catch(async (error: unknown) => {
      if (error instanceof DomainError) this.failures.recordFailure(request.ip, request.client.clientId);
      await this.failureLog.record(error, request, context);
      throw error;
    });

    const rateLimit = this.perUser.hit(`${request.ip}|${user.userId}`);
    if (!rateLimit.allowed) throw new RateLimited(rateLimit);

    const targetId = request.target ?? request.client.clientId;
    const target = targetId === request.client.clientId ? request.client : await this.clients.get(targetId);
    if (!target) throw new UnknownTarget(targetId);

    if (request.strictScope && request.scope) {
      const granted = scopeValues(credential.scope);
      const extra = [...scopeValues(request.scope)].filter((s) => !granted.has(s));
      if (extra.length > 0) throw new ScopeNotGranted(extra);
    }
    const scope = exchangeScope(request.scope, credential.scope);
    const signed = await this.signer.sign(
      idTokenClaims(user, scope, { aud: target.clientId, azp: request.client.clientId }),
      { alg: target.idTokenAlg, lifetimeSeconds: target.idTokenLifetimeSeconds },
    );
    // Decided again on the stream's latest events: a revocation committed since the look-up refuses it.
    await this.runner
      .handle(
        credentialDecider,
        credential.credentialId,
        {
          type: 'DelegateIdToken',
          presentedBy: request.client.clientId,
          target: target.clientId,
          apiType: request.apiType,
          idTokenJti: signed.jti,
          expiresAt: new Date(signed.exp * 1000),
          via: request.via,
          scope,
          now: new Date(),
        },
        { context, from: stream },
      )
      .catch(async (error: unknown) => {
        await this.failureLog.record(error, request, context);
        throw error;
      });
    return {
      idToken: signed.token,
      expiresIn: signed.exp - signed.iat,
      scope,
      user,
      credential,
      rateLimit,
    };
  }

  /**
   * The token's stream, credential and user when the client may use it now; otherwise rejects with
   * `RefreshTokenRefused` and the decider's reason. A blocked or deleted user's tokens stop working
   * before their revocation events are recorded.
   */
  private async admit(request: ExchangeRequest) {
    const stream = await this.resolver.byRefreshToken(request.refreshToken);
    const state = stream?.state ?? initialState;
    const clientId = request.client.clientId;
    // The credential's rules first: its user is looked up only for a token the client may use.
    const usable = refusalOf(state, clientId) === null && state.status !== 'none';
    const user = usable ? await this.users.findById(state.userId) : undefined;
    const refusal = refusalOf(state, clientId, user);
    if (stream && state.status !== 'none' && user && !refusal) return { stream, credential: state, user };
    throw new RefreshTokenRefused(refusal ?? 'unknown_token', state.status === 'none' ? undefined : state);
  }
}
