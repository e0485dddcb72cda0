import { Global, Logger, Module } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { DpopNonces } from './dpop/dpop-nonces';
import { DpopProofVerifier } from './dpop/dpop-proof.verifier';
import { DpopReplayCache, dpopReplayCacheFromConfig } from './dpop/dpop-replay-cache';
import { LoginAttemptLimiter } from './rate-limit/attempt-limiter';
import { LimitStore } from './rate-limit/limit-store';
import { limitStoreFromConfig } from './rate-limit/limit-store.factory';
import { SecretKeys } from './secret-keys';

/**
 * Makes the derived secret keys injectable, the store every limiter counts in (Redis at `REDIS_URL`, or
 * memory: ADR 0010), and the one count of users' failed logins that the login page, the password grant
 * and the Management API's user-blocks share; and the DPoP proof checks (RFC 9449), whose replay cache is
 * in the same Redis (or memory) but fails closed where the limits fail open.
 */
@Global()
@Module({
  providers: [
    { provide: SecretKeys, inject: [AppConfig], useFactory: secretKeysOf },
    { provide: LimitStore, inject: [AppConfig], useFactory: limitStoreFromConfig },
    {
      provide: LoginAttemptLimiter,
      inject: [LimitStore, AppConfig],
      useFactory: (store: LimitStore, config: AppConfig) =>
        new LoginAttemptLimiter(
          {},
          { store, name: 'login-failures' },
          { maxFailures: config.logins.failuresPerAddressPerHour, windowMs: 60 * 60 * 1000 },
        ),
    },
    { provide: DpopNonces, inject: [SecretKeys], useFactory: DpopNonces.fromKeys },
    { provide: DpopReplayCache, inject: [AppConfig], useFactory: dpopReplayCacheFromConfig },
    {
      provide: DpopProofVerifier,
      inject: [DpopReplayCache, DpopNonces],
      useFactory: (cache: DpopReplayCache, nonces: DpopNonces) => new DpopProofVerifier(cache, nonces),
    },
  ],
  exports: [SecretKeys, LimitStore, LoginAttemptLimiter, DpopNonces, DpopProofVerifier],
})
export class SecurityModule {}

/**
 * The process's keys. With previous secrets it says which key ids it accepts (never a secret), and, once
 * per previous key and purpose, that something made under one was used (docs/operations.md, "Rotating
 * SERVER_SECRET"; `previous_secret_key_uses_total` counts every use).
 */
function secretKeysOf(config: AppConfig): SecretKeys {
  const keys = SecretKeys.fromConfig(config);
  if (keys.previousKeyIds.length === 0) return keys;
  const logger = new Logger(SecretKeys.name);
  logger.log({
    msg: 'Accepting keys of previous server secrets; making everything new under the current one',
    key_id: keys.keyId,
    previous_key_ids: keys.previousKeyIds,
  });
  const seen = new Set<string>();
  keys.onPreviousKeyUse(({ purpose, keyId }) => {
    if (seen.has(`${purpose}/${keyId}`)) return;
    seen.add(`${purpose}/${keyId}`);
    logger.log({ msg: 'Accepted a value made under a previous server secret', purpose, key_id: keyId });
  });
  return keys;
}
