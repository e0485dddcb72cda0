import { randomBytes } from 'node:crypto';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  credentialDecider,
  credentialId as formatCredentialId,
  LEGACY_REFRESH_TOKEN_POLICY,
  termsOf,
} from '@libs/domain';
import { randomToken, SecretKeys } from '@libs/security';
import { RevokeCredentials } from '../revoke-credentials/revoke-credentials.command';
import { CommandRunner } from '../runner/command-runner';
import { IssueCredential, type IssuedCredential } from './issue-credential.command';

/** At most this many refresh tokens in force per user and application (Auth0's limit); the oldest go. */
export const MAX_ACTIVE_TOKENS_PER_APPLICATION = 200;

/** A new credential id (`dcr_…`) from the CSPRNG. */
export function newCredentialId(): string {
  return formatCredentialId(randomBytes(16));
}

/**
 * Mints the refresh token and records `TokenIssued` with its keyed hash only (DESIGN guarantee 4) and
 * the terms of its client's policy; the token is returned once the event is durable (guarantee 3).
 * The user's tokens of the application beyond the newest 200 are then revoked, oldest first.
 */
@CommandHandler(IssueCredential)
export class IssueCredentialHandler implements ICommandHandler<IssueCredential> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly keys: SecretKeys,
    private readonly commands: CommandBus,
  ) {}

  async execute({ request, context }: IssueCredential): Promise<IssuedCredential> {
    const refreshToken = randomToken(32); // 256 bits from the CSPRNG (RFC 6749 §10.10)
    const credentialId = request.credentialId ?? newCredentialId();
    const now = new Date();
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
        terms: termsOf(request.policy ?? LEGACY_REFRESH_TOKEN_POLICY, now),
        jkt: request.jkt ?? null,
        now,
      },
      { context },
    );
    await this.commands.execute(
      new RevokeCredentials(
        {
          userId: request.userId,
          clientId: request.clientId,
          keepNewest: MAX_ACTIVE_TOKENS_PER_APPLICATION,
        },
        'token_limit_exceeded',
        'system',
        context.correlationId,
      ),
    );
    return { refreshToken, credentialId };
  }
}
