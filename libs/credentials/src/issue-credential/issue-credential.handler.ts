import { randomBytes } from 'node:crypto';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { credentialDecider, credentialId as formatCredentialId } from '@libs/domain';
import { randomToken, SecretKeys } from '@libs/security';
import { CommandRunner } from '../runner/command-runner';
import { IssueCredential, type IssuedCredential } from './issue-credential.command';

/** A new credential id (`dcr_…`) from the CSPRNG. */
export function newCredentialId(): string {
  return formatCredentialId(randomBytes(16));
}

/**
 * Mints the refresh token and records `TokenIssued` with its keyed hash only (DESIGN guarantee 4);
 * the token is returned once the event is durable (guarantee 3).
 */
@CommandHandler(IssueCredential)
export class IssueCredentialHandler implements ICommandHandler<IssueCredential> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly keys: SecretKeys,
  ) {}

  async execute({ request, context }: IssueCredential): Promise<IssuedCredential> {
    const refreshToken = randomToken(32); // 256 bits from the CSPRNG (RFC 6749 §10.10)
    const credentialId = request.credentialId ?? newCredentialId();
    await this.runner.handle(
      credentialDecider,
      credentialId,
      {
        type: 'IssueToken',
        credentialId,
        userId: request.userId,
        clientId: request.clientId,
        deviceName: request.deviceName,
        scope: request.scope,
        tokenHash: this.keys.refreshTokenHash(refreshToken),
        grant: request.grant,
        now: new Date(),
      },
      { context },
    );
    return { refreshToken, credentialId };
  }
}
