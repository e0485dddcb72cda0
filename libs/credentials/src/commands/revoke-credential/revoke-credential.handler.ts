import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DeviceCredentials } from '../../device-credentials.service';
import { RevokeCredential } from './revoke-credential.command';

@CommandHandler(RevokeCredential)
export class RevokeCredentialHandler implements ICommandHandler<RevokeCredential> {
  constructor(private readonly credentials: DeviceCredentials) {}

  execute({ credentialId, reason, actor, correlationId }: RevokeCredential): Promise<boolean> {
    return this.credentials.revoke(credentialId, reason, actor, { correlationId });
  }
}
