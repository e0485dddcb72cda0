import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { LoginAttemptLimiter } from './rate-limit/attempt-limiter';
import { SecretKeys } from './secret-keys';

/**
 * Makes the derived secret keys injectable, and the one count of users' failed logins that the login
 * page, the password grant and the Management API's user-blocks share.
 */
@Global()
@Module({
  providers: [
    { provide: SecretKeys, inject: [AppConfig], useFactory: SecretKeys.fromConfig },
    { provide: LoginAttemptLimiter, useFactory: () => new LoginAttemptLimiter() },
  ],
  exports: [SecretKeys, LoginAttemptLimiter],
})
export class SecurityModule {}
