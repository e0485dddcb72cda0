import { Injectable } from '@nestjs/common';
import { UserRepository, type AuthenticatedClient } from '@libs/tenants';
import {
  InvalidGrant,
  OAuthError,
  stringParam,
  TooManyAttempts,
  UnauthorizedClient,
  type OAuthParams,
} from '@libs/platform';
import { loginAttemptKey, LoginAttemptLimiter } from '@libs/security';
import {
  assertDeviceForOfflineAccess,
  UserTokens,
  type TokenContext,
  type TokenResponse,
} from '../user-tokens';

/**
 * `grant_type=password` (RFC 6749 §4.3; Auth0's Resource Owner Password grant) for first-party clients
 * that enable it: `username`, `password`, `scope`, and `device` when asking for `offline_access`.
 * Auth0's brute-force protection applies here, so every endpoint reusing this flow has it: 10 consecutive
 * failures for one username from one address block that address for it (429 `too_many_attempts`), with
 * the same count as the login page, until the window ends or `DELETE /api/v2/user-blocks` lifts it.
 */
@Injectable()
export class PasswordGrant {
  constructor(
    private readonly users: UserRepository,
    private readonly tokens: UserTokens,
    private readonly attempts: LoginAttemptLimiter,
  ) {}

  async handle(
    params: OAuthParams,
    { client }: AuthenticatedClient,
    context: TokenContext,
  ): Promise<TokenResponse> {
    if (!client.grantTypes.includes('password')) {
      throw new UnauthorizedClient("Grant type 'password' not allowed for the client.");
    }
    const username = stringParam(params, 'username', { required: true, max: 320 });
    const password = stringParam(params, 'password', { required: true, max: 1_024 });
    const scope = stringParam(params, 'scope', { max: 1_024 }) ?? 'openid';
    const device = stringParam(params, 'device', { max: 255 });
    assertDeviceForOfflineAccess(scope, device);

    const attemptKey = loginAttemptKey(context.ip, username);
    const retryAfter = await this.attempts.retryAfterSeconds(attemptKey);
    // Refused before scrypt runs: a blocked run costs no hashing.
    if (retryAfter !== null) {
      throw new TooManyAttempts(
        'Your account has been blocked after multiple consecutive login attempts.',
        retryAfter,
      );
    }
    const user = await this.users.verifyPassword(username, password);
    if (!user) {
      await this.attempts.recordFailure(attemptKey);
      throw new InvalidGrant('Wrong email or password.');
    }
    await this.attempts.reset(attemptKey);
    if (user.blocked) throw new OAuthError(401, 'unauthorized', 'user is blocked');
    await this.users.recordLogin(user.userId);
    const issued = await this.tokens.issue(
      { client, user, scope, device, authTime: new Date(), grant: 'password' },
      context,
    );
    return issued.response;
  }
}
