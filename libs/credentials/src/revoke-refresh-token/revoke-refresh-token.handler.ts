import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ControlPlane } from '@libs/database';
import { credentialDecider } from '@libs/domain';
import { Metrics } from '@libs/platform';
import { CredentialResolver } from '../credential-resolver';
import { CommandRunner } from '../runner/command-runner';
import { RevokeRefreshToken } from './revoke-refresh-token.command';

/**
 * RFC 7009 revocation of a client's own refresh token. Runs on the control plane (issue 15): the token's
 * look-up and the write take the control plane's connections and lanes, not behind delegations.
 */
@CommandHandler(RevokeRefreshToken)
export class RevokeRefreshTokenHandler implements ICommandHandler<RevokeRefreshToken> {
  constructor(
    private readonly resolver: CredentialResolver,
    private readonly runner: CommandRunner,
    private readonly metrics: Metrics,
  ) {}

  execute(command: RevokeRefreshToken): Promise<boolean> {
    return ControlPlane.run(() => this.revoke(command));
  }

  private async revoke({ refreshToken, clientId, correlationId }: RevokeRefreshToken): Promise<boolean> {
    const stream = await this.resolver.byRefreshToken(refreshToken);
    // RFC 7009 §2.1: a client revokes only the tokens issued to it.
    if (!stream || stream.state.status === 'none' || stream.state.clientId !== clientId) return false;
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
