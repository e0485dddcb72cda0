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
 *
 * An attempt is counted before its work runs (`consume`), in the store's one atomic step: checking first
 * and counting after the work would let every attempt that runs at once pass the check (issue 19, finding
 * 3). An attempt that turns out not to be a failure gives its count back (`release`, `reset`).
 */
export class AttemptLimiter {
  private readonly counter: LimitCounter;
  protected readonly limits: LoginAttemptLimits;

  constructor(limits: Partial<LoginAttemptLimits> = {}, shared?: { store: LimitStore; name: string }) {
    this.limits = { ...DEFAULT_LOGIN_ATTEMPT_LIMITS, ...limits };
    const options = {
      windowMs: this.limits.windowMs,
      limit: this.limits.maxFailures,
      maxKeys: this.limits.maxKeys,
    };
    this.counter = counterFor(shared ?? this.limits.now, options);
  }

  /** Seconds until the key may try again, or `null` when it may try now; counts nothing. */
  async retryAfterSeconds(key: string): Promise<number | null> {
    const window = await this.counter.get(key);
    if (!window || window.count < this.limits.maxFailures) return null;
    return this.secondsUntil(window.resetAt);
  }

  /**
   * Counts one attempt for the key, before its work: `null` when it is within the budget (it stays counted
   * as a failure unless given back), else the seconds until the key may try again. Of N concurrent calls
   * exactly the budget's remainder get `null`.
   */
  async consume(key: string): Promise<number | null> {
    const window = await this.counter.hit(key);
    return window.count <= this.limits.maxFailures ? null : this.secondsUntil(window.resetAt);
  }

  /** Gives back one attempt `consume` counted: it did not fail (its work was refused, or it succeeded). */
  async release(key: string): Promise<void> {
    await this.counter.release(key);
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

  private secondsUntil(resetAt: number): number {
    return Math.max(1, Math.ceil((resetAt - this.limits.now()) / 1000));
  }
}

/** Why a login attempt is refused before its password is checked. */
export interface LoginRefusal {
  /** `subject`: this address failed too often for this email; `address`: for any emails. */
  reason: 'subject' | 'address';
  retryAfterSeconds: number;
}

/**
 * One login attempt, counted under both budgets before its password is checked. A wrong password leaves
 * it counted (the failure); `succeeded` ends the email's run and gives the address's count back;
 * `abandoned` gives both back and ends nothing (the check never ran, e.g. the hashing queue was full).
 */
export class LoginAttempt {
  constructor(
    /** Non-null: refused, nothing to check and nothing counted. */
    readonly refusal: LoginRefusal | null,
    private readonly settle: { succeeded(): Promise<void>; abandoned(): Promise<void> },
  ) {}

  succeeded(): Promise<void> {
    return this.settle.succeeded();
  }

  abandoned(): Promise<void> {
    return this.settle.abandoned();
  }
}

/** Failed logins allowed per address for any emails, and their window, beside the per-email budget. */
export interface AddressLimits {
  /** 0: no per-address budget. */
  maxFailures: number;
  windowMs: number;
}

const NOTHING_TO_SETTLE = { succeeded: () => Promise.resolve(), abandoned: () => Promise.resolve() };

/**
 * The failed logins of users: the login page, the password grant and `/oauth/ro` share one count. Two
 * budgets: per address and email (Auth0's brute-force protection: 10 per 15 minutes), and per address
 * whatever the email (Auth0's suspicious IP throttling): without the second, each new username buys a
 * fresh budget, and an unknown username costs the same scrypt run as a known one (issue 19, finding 2).
 */
export class LoginAttemptLimiter extends AttemptLimiter {
  private readonly perAddress: AttemptLimiter | null;

  constructor(
    limits: Partial<LoginAttemptLimits> = {},
    shared?: { store: LimitStore; name: string },
    addressLimits?: AddressLimits,
  ) {
    super(limits, shared);
    this.perAddress =
      addressLimits && addressLimits.maxFailures > 0
        ? new AttemptLimiter(
            { ...this.limits, ...addressLimits },
            shared && { store: shared.store, name: `${shared.name}-address` },
          )
        : null;
  }

  /**
   * Counts a login of `subject` from `ip` under both budgets before its password is checked: refused
   * (nothing counted) when either is spent. Of N concurrent attempts exactly the budget's remainder go on.
   */
  async begin(ip: string, subject: string): Promise<LoginAttempt> {
    const key = attemptKey(ip, subject);
    const bySubject = await this.consume(key);
    if (bySubject !== null) {
      await this.release(key);
      return new LoginAttempt({ reason: 'subject', retryAfterSeconds: bySubject }, NOTHING_TO_SETTLE);
    }
    const perAddress = this.perAddress;
    if (!perAddress) {
      return new LoginAttempt(null, {
        succeeded: () => this.reset(key),
        abandoned: () => this.release(key),
      });
    }
    const address = addressKey(ip);
    const byAddress = await perAddress.consume(address);
    if (byAddress !== null) {
      await Promise.all([this.release(key), perAddress.release(address)]);
      return new LoginAttempt({ reason: 'address', retryAfterSeconds: byAddress }, NOTHING_TO_SETTLE);
    }
    return new LoginAttempt(null, {
      succeeded: async () => {
        await Promise.all([this.reset(key), perAddress.release(address)]);
      },
      abandoned: async () => {
        await Promise.all([this.release(key), perAddress.release(address)]);
      },
    });
  }
}

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
