import { Injectable } from '@nestjs/common';
import type { WriteContext } from '@libs/event-store';
import { UserRepository } from '@libs/tenants';
import { InvalidGrant, OAuthError, stringParam, UnauthorizedClient, type OAuthParams } from '@libs/platform';
import type { AuthenticatedClient } from '../client-authentication';
import { assertDeviceForOfflineAccess, UserTokens, type TokenResponse } from '../user-tokens';

/**
 * `grant_type=password` (RFC 6749 §4.3; Auth0's Resource Owner Password grant) for first-party clients
 * that enable it: `username`, `password`, `scope`, and `device` when asking for `offline_access`.
 */
@Injectable()
export class PasswordGrant {
  constructor(
    private readonly users: UserRepository,
    private readonly tokens: UserTokens,
  ) {}

  async handle(
    params: OAuthParams,
    { client }: AuthenticatedClient,
    context: WriteContext,
  ): Promise<TokenResponse> {
    if (!client.grantTypes.includes('password')) {
      throw new UnauthorizedClient("Grant type 'password' not allowed for the client.");
    }
    const username = stringParam(params, 'username', { required: true, max: 320 });
    const password = stringParam(params, 'password', { required: true, max: 1_024 });
    const scope = stringParam(params, 'scope', { max: 1_024 }) ?? 'openid';
    const device = stringParam(params, 'device', { max: 255 });
    assertDeviceForOfflineAccess(scope, device);

    const user = await this.users.verifyPassword(username, password);
    if (!user) throw new InvalidGrant('Wrong email or password.');
    if (user.blocked) throw new OAuthError(401, 'unauthorized', 'user is blocked');
    await this.users.recordLogin(user.userId);
    return this.tokens.issue(
      { client, user, scope, device, authTime: new Date(), grant: 'password' },
      context,
    );
  }
}
