import { Command } from '@nestjs/cqrs';
import type { RevocationReason } from '@libs/domain';

/**
 * Revoke one credential. Resolves `true` once this command's `TokenRevoked` is durable, `false` when it
 * was revoked already; rejects with `credential_not_found` for an unknown id.
 */
export class RevokeCredential extends Command<boolean> {
  constructor(
    readonly credentialId: string,
    readonly reason: RevocationReason,
    readonly actor: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
