/** Settings of the failed-login limiter. */
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
 * Counts failed logins per key (client IP + email) in fixed windows, in this process's memory: it slows a
 * password-guessing run against one account, it is not shared between instances.
 */
export class LoginAttemptLimiter {
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

/** The limiter key of a login attempt: the client's address and the email as the user typed it, lowercased. */
export function loginAttemptKey(ip: string, email: string): string {
  return `${ip}\n${email.trim().toLowerCase()}`;
}
