import { addressKey } from './address-key';

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

interface Window {
  failures: number;
  endsAt: number;
}

/**
 * Counts consecutive failed attempts per key (an address and a subject: the email a login names, the
 * client a secret is checked for) in fixed windows, in this process's memory: it slows a guessing run
 * against one account or client, it is not shared between instances. Auth0's brute-force protection:
 * after `maxFailures` the address is blocked for that subject until the window ends or an administrator
 * unblocks it (`forget`); a success ends the run (`reset`).
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly limits: LoginAttemptLimits;

  constructor(limits: Partial<LoginAttemptLimits> = {}) {
    this.limits = { ...DEFAULT_LOGIN_ATTEMPT_LIMITS, ...limits };
  }

  /** Seconds until the key may try again, or `null` when it may try now. */
  retryAfterSeconds(key: string): number | null {
    const window = this.current(key);
    if (!window || window.failures < this.limits.maxFailures) return null;
    return Math.max(1, Math.ceil((window.endsAt - this.limits.now()) / 1000));
  }

  /** Counts one failed attempt for the key. */
  recordFailure(key: string): void {
    const window = this.current(key);
    if (window) {
      window.failures += 1;
      return;
    }
    this.evict();
    this.windows.set(key, { failures: 1, endsAt: this.limits.now() + this.limits.windowMs });
  }

  /** Forgets the key's failures: a successful login ends the run. */
  reset(key: string): void {
    this.windows.delete(key);
  }

  /** The addresses blocked for `subject` now (Auth0's `GET /api/v2/user-blocks`). */
  blockedAddresses(subject: string): string[] {
    const blocked: string[] = [];
    for (const key of [...this.windows.keys()]) {
      const [address, keySubject] = splitKey(key);
      if (keySubject === normalSubject(subject) && this.retryAfterSeconds(key) !== null)
        blocked.push(address);
    }
    return blocked;
  }

  /** Unblocks `subject` from every address (Auth0's `DELETE /api/v2/user-blocks`); returns how many were blocked. */
  forget(subject: string): number {
    const blocked = this.blockedAddresses(subject).length;
    for (const key of [...this.windows.keys()]) {
      if (splitKey(key)[1] === normalSubject(subject)) this.windows.delete(key);
    }
    return blocked;
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.endsAt <= this.limits.now()) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  // Every window lasts as long and Map iteration follows insertion, so the first keys are the windows that
  // end soonest: forgetting them first costs the least protection.
  private evict(): void {
    for (const key of this.windows.keys()) {
      if (this.windows.size < this.limits.maxKeys) break;
      this.windows.delete(key);
    }
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
