import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RevokeCredential, RevokeCredentials } from '@libs/credentials';
import { CREDENTIAL_ID, DomainError } from '@libs/domain';
import type { Caller } from '../auth/principal.decorator';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';

/** The refusal for a token id no credential has. */
export const inexistentRefreshToken = () =>
  new ManagementApiError(ManagementErrorCode.InexistentRefreshToken, 'The refresh token does not exist.');

/** Which tokens a bulk revocation covers: the listed ones, or a user's (of one application). */
export type RefreshTokenSelection = { ids: string[] } | { userId: string; clientId?: string };

/**
 * What a bulk revocation body (`POST /api/v2/refresh-tokens/revoke`) selects, as Auth0 combines its
 * fields: `ids` alone, `user_id`, or `user_id` with `client_id`; anything else is refused.
 */
export function selectionOf(body: {
  ids?: string[];
  user_id?: string;
  client_id?: string;
}): RefreshTokenSelection {
  const refuse = (detail: string) =>
    new ManagementApiError(ManagementErrorCode.InvalidBody, `Payload validation error: '${detail}'.`);
  const { ids, user_id: userId, client_id: clientId } = body;
  if (ids !== undefined) {
    if (userId !== undefined || clientId !== undefined)
      throw refuse('ids cannot be combined with user_id or client_id');
    return { ids };
  }
  // Auth0 also revokes every user's tokens of one application; here a revocation covers one user at most.
  if (userId === undefined)
    throw refuse(clientId === undefined ? 'One of ids or user_id is required' : 'client_id requires user_id');
  return clientId === undefined ? { userId } : { userId, clientId };
}

/**
 * The refresh-token endpoints' revocations, through the same commands as every other revocation: each
 * token gets its own `TokenRevoked` (reason `management_api`), durable before the call answers, so the
 * token is refused everywhere from then on whatever the projector or Kafka are doing.
 */
@Injectable()
export class RefreshTokenRevocations {
  constructor(private readonly commands: CommandBus) {}

  /** Revokes one token (nothing to do for one already revoked or expired); refuses an unknown id. */
  async revoke(id: string, caller: Caller): Promise<void> {
    if ((await this.revokeIfKnown(id, caller)) === null) throw inexistentRefreshToken();
  }

  /** Revokes every token in force of the selection (unknown ids are skipped); resolves with how many. */
  async revokeAll(selection: RefreshTokenSelection, caller: Caller): Promise<number> {
    if ('ids' in selection) {
      let revoked = 0;
      for (const id of new Set(selection.ids)) {
        if (await this.revokeIfKnown(id, caller)) revoked += 1;
      }
      return revoked;
    }
    const { userId, clientId } = selection;
    // Found in the event store, not the view: a token issued a moment ago is revoked too. One
    // application's: the per-application scope, keeping none.
    const scope = clientId === undefined ? { userId } : { userId, clientId, keepNewest: 0 };
    return this.commands.execute(
      new RevokeCredentials(scope, 'management_api', caller.actor, caller.correlationId),
    );
  }

  /** True when this call revoked it, false when it was over already, null when no credential has this id. */
  private async revokeIfKnown(id: string, caller: Caller): Promise<boolean | null> {
    if (!CREDENTIAL_ID.test(id)) return null;
    try {
      return await this.commands.execute(
        new RevokeCredential(id, 'management_api', caller.actor, caller.correlationId),
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'credential_not_found') return null;
      throw error;
    }
  }
}
