import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ControlPlane } from '@libs/database';
import { credentialDecider } from '@libs/domain';
import { Metrics } from '@libs/platform';
import { CommandRunner } from '../runner/command-runner';
import { RevokeCredential } from './revoke-credential.command';

/**
 * Records `TokenRevoked` unless the credential is revoked already (the decider records nothing then).
 * Runs on the control plane (issue 15): own connections, own batching lane, not behind delegations.
 */
@CommandHandler(RevokeCredential)
export class RevokeCredentialHandler implements ICommandHandler<RevokeCredential> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly metrics: Metrics,
  ) {}

  async execute({ credentialId, reason, actor, correlationId }: RevokeCredential): Promise<boolean> {
    const { events } = await ControlPlane.run(() =>
      this.runner.handle(
        credentialDecider,
        credentialId,
        { type: 'RevokeToken', reason, actor, now: new Date() },
        { context: { correlationId } },
      ),
    );
    if (events.length > 0) this.metrics.revocations.inc({ reason });
    return events.length > 0;
  }
}
