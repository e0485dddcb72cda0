import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { Overloaded } from '@libs/database';
import { BoundedConcurrency, hashSecret, verifySecret } from '@libs/security';

/** Settings of the password hashing bound: hashes at once, checks waiting, `Retry-After` of a refusal. */
export interface PasswordHashingLimits {
  concurrency: number;
  queue: number;
  retryAfterSeconds: number;
}

/**
 * Every scrypt run of the process (users' and administrators' passwords, client secrets hashed before
 * issue 19) behind one bounded semaphore: at most `PASSWORD_HASH_CONCURRENCY` at once, at most
 * `PASSWORD_HASH_QUEUE` checks waiting, the next refused with `Overloaded` (503 `temporarily_unavailable`,
 * `Retry-After`). scrypt runs on libuv's thread pool, which also signs the exchange's id_tokens (WebCrypto):
 * unbounded, a burst of logins with made-up usernames filled the pool and stalled `/delegation` for
 * seconds (issue 19, finding 2).
 */
@Injectable()
export class PasswordHashing {
  private readonly gate: BoundedConcurrency;
  private readonly retryAfterSeconds: number;

  // A union has no runtime type for Nest to read: the token is named (tests pass limits directly).
  constructor(@Inject(AppConfig) config: AppConfig | PasswordHashingLimits) {
    const limits =
      'logins' in config
        ? {
            concurrency: config.logins.hashConcurrency,
            queue: config.logins.hashQueue,
            retryAfterSeconds: config.overload.retryAfterSeconds,
          }
        : config;
    this.gate = new BoundedConcurrency(limits.concurrency, limits.queue);
    this.retryAfterSeconds = limits.retryAfterSeconds;
  }

  /**
   * The stored form of a new password (`hashSecret`). It waits its turn however long the queue: it is an
   * administrator's or the seeding's work, not a stranger's.
   */
  async hash(password: string): Promise<string> {
    return this.ran(await this.gate.run(() => hashSecret(password), Number.POSITIVE_INFINITY));
  }

  /** Whether `password` matches `stored` (`verifySecret`); rejects with `Overloaded` when the queue is full. */
  async verify(password: string, stored: string): Promise<boolean> {
    return this.ran(await this.gate.run(() => verifySecret(password, stored)));
  }

  private ran<T>(outcome: { refused: false; value: T } | { refused: true }): T {
    if (outcome.refused) throw new Overloaded('queue_full', this.retryAfterSeconds);
    return outcome.value;
  }
}
