import { Command } from '@nestjs/cqrs';
import type { RevocationReason } from '@libs/domain';

/** Which credentials a bulk revocation covers. */
export type RevocationScope =
  | { userId: string }
  | { userId: string; clientId: string; deviceName: string }
  /** A user's credentials of one application but its `keepNewest` most recently issued ones. */
  | { userId: string; clientId: string; keepNewest: number }
  /** Every credential of an application, of any user (the application is being deleted). */
  | { clientId: string };

/**
 * Revoke every credential of a device (the dashboard's Unlink), of a user (blocked, deleted), of an
 * application (deleted), or those of a user and application past a limit (the oldest first),
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
