import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { LoginAttemptLimiter } from './rate-limit/attempt-limiter';
import { LimitStore } from './rate-limit/limit-store';
import { limitStoreFromConfig } from './rate-limit/limit-store.factory';
import { SecretKeys } from './secret-keys';

/**
 * Makes the derived secret keys injectable, the store every limiter counts in (Redis at `REDIS_URL`, or
 * memory: ADR 0010), and the one count of users' failed logins that the login page, the password grant
 * and the Management API's user-blocks share.
 */
@Global()
@Module({
  providers: [
    { provide: SecretKeys, inject: [AppConfig], useFactory: SecretKeys.fromConfig },
    { provide: LimitStore, inject: [AppConfig], useFactory: limitStoreFromConfig },
    {
      provide: LoginAttemptLimiter,
      inject: [LimitStore],
      useFactory: (store: LimitStore) => new LoginAttemptLimiter({}, { store, name: 'login-failures' }),
    },
  ],
  exports: [SecretKeys, LimitStore, LoginAttemptLimiter],
})
export class SecurityModule {}
