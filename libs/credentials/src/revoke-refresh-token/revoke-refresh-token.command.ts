import { Command } from '@nestjs/cqrs';

/**
 * A client revokes one of its refresh tokens (RFC 7009, `POST /oauth/revoke`). Resolves `true` once this
 * command's `TokenRevoked` is durable; `false` for an unknown, already revoked or another client's token,
 * which stays untouched (§2.2: the client learns nothing either way). Rejects with `RateLimited` once
 * `ip` has failed too many look-ups (issue 19 finding 1: unknown tokens are looked up at a bounded rate).
 */
export class RevokeRefreshToken extends Command<boolean> {
  constructor(
    readonly refreshToken: string,
    readonly clientId: string,
    readonly correlationId: string,
    readonly ip: string,
  ) {
    super();
  }
}
