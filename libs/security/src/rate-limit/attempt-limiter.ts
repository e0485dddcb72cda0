import { addressKey } from './address-key';
import type { LimitCounter, LimitStore } from './limit-store';
import { counterFor } from './memory-limit-store';

/** Settings of a failed-attempt limiter. */
export interface LoginAttemptLimits {
  /** Failed attempts allowed per key and window. */
  maxFailures: number;
  windowMs: number;
  /** Keys kept at most; beyond it the oldest are forgotten, so a flood cannot exhaust memory. */
  maxKeys: number;
  /** The clock, epoch milliseconds. */
  now: () => number;
}

/** 10 failed attempts per 15 minutes per key (OWASP Authentication Cheat Sheet: throttle per account). */
export const DEFAULT_LOGIN_ATTEMPT_LIMITS: LoginAttemptLimits = {
  maxFailures: 10,
  windowMs: 15 * 60 * 1000,
  maxKeys: 100_000,
  now: () => Date.now(),
};

/**
 * Counts consecutive failed attempts per key (an address and a subject: the email a login names, the
 * client a secret is checked for) in fixed windows, in a `LimitStore` (ADR 0010: shared by every replica
 * when `REDIS_URL` is set), or in this process's memory when given none: it slows a guessing run against
 * one account or client. Auth0's brute-force protection: after `maxFailures` the address is blocked for
 * that subject until the window ends or an administrator unblocks it (`forget`); a success ends the run
 * (`reset`).
 */
export class AttemptLimiter {
  private readonly counter: LimitCounter;
  private readonly limits: LoginAttemptLimits;

  constructor(limits: Partial<LoginAttemptLimits> = {}, shared?: { store: LimitStore; name: string }) {
    this.limits = { ...DEFAULT_LOGIN_ATTEMPT_LIMITS, ...limits };
    const options = {
      windowMs: this.limits.windowMs,
      limit: this.limits.maxFailures,
      maxKeys: this.limits.maxKeys,
    };
    this.counter = counterFor(shared ?? this.limits.now, options);
  }

  /** Seconds until the key may try again, or `null` when it may try now. */
  async retryAfterSeconds(key: string): Promise<number | null> {
    const window = await this.counter.get(key);
    if (!window || window.count < this.limits.maxFailures) return null;
    return Math.max(1, Math.ceil((window.resetAt - this.limits.now()) / 1000));
  }

  /** Counts one failed attempt for the key. */
  async recordFailure(key: string): Promise<void> {
    await this.counter.hit(key);
  }

  /** Forgets the key's failures: a successful login ends the run. */
  async reset(key: string): Promise<void> {
    await this.counter.delete(key);
  }

  /** The addresses blocked for `subject` now (Auth0's `GET /api/v2/user-blocks`). */
  async blockedAddresses(subject: string): Promise<string[]> {
    const blocked: string[] = [];
    for (const key of await this.keysOf(subject)) {
      if ((await this.retryAfterSeconds(key)) !== null) blocked.push(splitKey(key)[0]);
    }
    return blocked;
  }

  /** Unblocks `subject` from every address (Auth0's `DELETE /api/v2/user-blocks`); returns how many were blocked. */
  async forget(subject: string): Promise<number> {
    const blocked = (await this.blockedAddresses(subject)).length;
    for (const key of await this.keysOf(subject)) await this.counter.delete(key);
    return blocked;
  }

  /** The keys counted for `subject`, from every address. */
  private async keysOf(subject: string): Promise<string[]> {
    const keys = await this.counter.keysEndingWith(`\n${normalSubject(subject)}`);
    return keys.filter((key) => splitKey(key)[1] === normalSubject(subject));
  }
}

/** The failed logins of users: the login page, the password grant and `/oauth/ro` share one count. */
export class LoginAttemptLimiter extends AttemptLimiter {}

/**
 * The limiter key of an attempt: the client's address (an IPv6 address by its /64, see `addressKey`)
 * and the subject (an email as the user typed it, a client id), trimmed and lowercased.
 */
export function attemptKey(ip: string, subject: string): string {
  return `${addressKey(ip)}\n${normalSubject(subject)}`;
}

/** The limiter key of a login attempt: the client's address and the email. */
export const loginAttemptKey = attemptKey;

const normalSubject = (subject: string) => subject.trim().toLowerCase();

function splitKey(key: string): [address: string, subject: string] {
  const newline = key.indexOf('\n');
  return [key.slice(0, newline), key.slice(newline + 1)];
}
