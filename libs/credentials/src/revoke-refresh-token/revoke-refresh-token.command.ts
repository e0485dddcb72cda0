import { Command } from '@nestjs/cqrs';

/**
 * A client revokes one of its refresh tokens (RFC 7009, `POST /oauth/revoke`). Resolves `true` once this
 * command's `TokenRevoked` is durable; `false` for an unknown, already revoked or another client's token,
 * which stays untouched (§2.2: the client learns nothing either way).
 */
export class RevokeRefreshToken extends Command<boolean> {
  constructor(
    readonly refreshToken: string,
    readonly clientId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
