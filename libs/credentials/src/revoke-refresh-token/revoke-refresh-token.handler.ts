import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AppConfig } from '@libs/config';
import { ControlPlane } from '@libs/database';
import { credentialDecider } from '@libs/domain';
import { Metrics } from '@libs/platform';
import { FailedLookupLimiter, LimitStore } from '@libs/security';
import { CredentialResolver } from '../credential-resolver';
import { RateLimited } from '../exchange-refresh-token/exchange-refusals';
import { CommandRunner } from '../runner/command-runner';
import { RevokeRefreshToken } from './revoke-refresh-token.command';

/**
 * RFC 7009 revocation of a client's own refresh token. Runs on the control plane (issue 15): the token's
 * look-up and the write take the control plane's connections and lanes, not behind delegations.
 *
 * Behind the exchange's failed-lookup budget (same counters, issue 19 finding 1): a token that names no
 * credential of the client counts against the address and the client, and past the limit nothing is
 * looked up — the endpoint answers 200 to anything, so it would otherwise be a free guessing and load lever.
 */
@CommandHandler(RevokeRefreshToken)
export class RevokeRefreshTokenHandler implements ICommandHandler<RevokeRefreshToken> {
  private readonly failures: FailedLookupLimiter;

  constructor(
    private readonly resolver: CredentialResolver,
    private readonly runner: CommandRunner,
    private readonly metrics: Metrics,
    config: AppConfig,
    limits: LimitStore,
  ) {
    this.failures = new FailedLookupLimiter(config.rateLimits.failuresPerMinute, limits);
  }

  execute(command: RevokeRefreshToken): Promise<boolean> {
    return ControlPlane.run(() => this.revoke(command));
  }

  private async revoke({ refreshToken, clientId, correlationId, ip }: RevokeRefreshToken): Promise<boolean> {
    const limited = await this.failures.refusal(ip, clientId);
    if (limited) throw new RateLimited(limited);
    const stream = await this.resolver.byRefreshToken(refreshToken);
    // RFC 7009 §2.1: a client revokes only the tokens issued to it.
    if (!stream || stream.state.status === 'none' || stream.state.clientId !== clientId) {
      await this.failures.recordFailure(ip, clientId);
      return false;
    }
    const { events } = await this.runner.handle(
      credentialDecider,
      stream.state.credentialId,
      { type: 'RevokeToken', reason: 'oauth_revoke', actor: clientId, now: new Date() },
      { context: { correlationId }, from: stream },
    );
    if (events.length > 0) this.metrics.revocations.inc({ reason: 'oauth_revoke' });
    return events.length > 0;
  }
}
