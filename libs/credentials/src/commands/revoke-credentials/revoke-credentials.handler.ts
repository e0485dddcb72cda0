import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Revocations } from '../../revocations';
import { RevokeCredentials } from './revoke-credentials.command';

@CommandHandler(RevokeCredentials)
export class RevokeCredentialsHandler implements ICommandHandler<RevokeCredentials> {
  constructor(private readonly revocations: Revocations) {}

  execute({ scope, reason, actor, correlationId }: RevokeCredentials): Promise<number> {
    return this.revocations.revoke(scope, reason, actor, { correlationId });
  }
}
