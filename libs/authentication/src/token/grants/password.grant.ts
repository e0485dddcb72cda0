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
import { LoginAttemptLimiter, type LoginRefusal } from '@libs/security';
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
 * the same count as the login page, until the window ends or `DELETE /api/v2/user-blocks` lifts it; and
 * `LOGIN_FAILURES_PER_ADDRESS_PER_HOUR` failures from one address for any usernames block it for all.
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

    // Counted before scrypt runs (issue 19, finding 3): a blocked run costs no hashing, and attempts
    // running at once cannot all pass a check made before any of them failed.
    const attempt = await this.attempts.begin(context.ip, username);
    if (attempt.refusal) throw tooManyAttempts(attempt.refusal);
    let user;
    try {
      user = await this.users.verifyPassword(username, password);
    } catch (error) {
      await attempt.abandoned();
      throw error;
    }
    if (!user) throw new InvalidGrant('Wrong email or password.');
    await attempt.succeeded();
    if (user.blocked) throw new OAuthError(401, 'unauthorized', 'user is blocked');
    await this.users.recordLogin(user.userId);
    const issued = await this.tokens.issue(
      { client, user, scope, device, authTime: new Date(), grant: 'password' },
      context,
    );
    return issued.response;
  }
}

/** Auth0's answers: an address blocked for one user, and an address blocked for its many failures. */
function tooManyAttempts(refusal: LoginRefusal): TooManyAttempts {
  return new TooManyAttempts(
    refusal.reason === 'subject'
      ? 'Your account has been blocked after multiple consecutive login attempts.'
      : 'We have detected suspicious login behavior and further attempts will be blocked.',
    refusal.retryAfterSeconds,
  );
}
