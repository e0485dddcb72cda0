import { Command } from '@nestjs/cqrs';
import type { RevocationReason } from '@libs/domain';

/** Which credentials a bulk revocation covers. */
export type RevocationScope = { userId: string } | { userId: string; clientId: string; deviceName: string };

/**
 * Revoke every credential of a device (the dashboard's Unlink) or of a user (blocked, deleted),
 * including tokens the projector has not applied yet. Resolves with how many were revoked, once durable.
 */
export class RevokeCredentials extends Command<number> {
  constructor(
    readonly scope: RevocationScope,
    readonly reason: RevocationReason,
    readonly actor: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
