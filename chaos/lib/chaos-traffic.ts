import { ChaosLedger } from './chaos-ledger';
import { jwtPayload } from './jwt-payload';
import type { Category } from './response-outcome';
import type { Answer, ChaosHttp } from './chaos-http';
import type { ChaosConfig } from './chaos-config';
import { sleep } from './waits';
import { JWT_BEARER } from '../../test/fixtures/oauth';

export const CHAOS_PASSWORD = 'chaos monkey password 0123';
/** Share of delegations sent with a token whose revocation was sent (they must all be refused). */
const REVOKED_SHARE = 0.1;
/** Share of exchanges through the refresh grant rather than `/delegation`. */
const REFRESH_SHARE = 0.2;
/** After an answer that says "not now" (503, no connection), a client waits before trying again. */
const BACKOFF_MS = 200;
const BACK_OFF: ReadonlySet<Category> = new Set([
  'unavailable',
  'bad-unavailable',
  'server-error',
  'connection-error',
  'excused-connection-error',
]);

export interface PoolToken {
  /** Also the device name: one token per device. */
  key: string;
  token: string;
  userId: string;
  revokeSent: boolean;
}

export interface TrafficTenant {
  clientId: string;
  users: { userId: string; email: string }[];
  managementToken: string;
  /** The credential id (`dcr_…`) of an issued token, or undefined when it cannot be found now. */
  credentialIdOf(token: PoolToken): Promise<string | undefined>;
}

/**
 * Continuous traffic for the chaos scenarios, recorded in a ledger: `concurrency` loops exchange
 * refresh tokens (`/delegation`, some through the refresh grant), one loop issues new tokens
 * (password grant with `offline_access` and a device), one revokes (Management API DELETE and
 * /oauth/revoke alternately). Each loop owns its tokens, so two exchanges of one token are never in
 * flight together (as with real devices); the revoker races them on purpose.
 */
export class ChaosTraffic {
  readonly ledger = new ChaosLedger();
  /** The api is down on purpose: refused connections are the fault injected, not a failure. */
  apiDown = false;
  inFlight = 0;
  private readonly slices: PoolToken[][];
  private readonly active: PoolToken[] = [];
  private issuedCount = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private revocations = 0;

  constructor(
    private readonly http: ChaosHttp,
    private readonly tenant: TrafficTenant,
    private readonly config: ChaosConfig,
  ) {
    this.slices = Array.from({ length: config.concurrency }, () => []);
  }

  get activeTokens(): number {
    return this.active.length;
  }

  get tokens(): number {
    return this.issuedCount;
  }

  /** Issues `count` tokens before the traffic starts (a few at a time: each is a scrypt check). */
  async issueInitial(count: number, concurrency = 4): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        const category = await this.issueOne();
        if (category !== 'acked') throw new Error(`the initial password grant failed: ${category}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = [
      ...this.slices.map((_, worker) => this.exchangeLoop(worker)),
      this.issueLoop(),
      this.revokeLoop(),
    ];
  }

  /** Stops every loop; resolves once the last request in flight has its answer (or timed out). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async send<T>(request: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await request();
    } finally {
      this.inFlight--;
    }
  }

  private pick(worker: number): PoolToken | undefined {
    const slice = this.slices[worker];
    const revoked = slice.filter((t) => t.revokeSent);
    const live = slice.filter((t) => !t.revokeSent);
    const from = revoked.length > 0 && (live.length === 0 || Math.random() < REVOKED_SHARE) ? revoked : live;
    return from[Math.floor(Math.random() * from.length)];
  }

  private async exchangeLoop(worker: number): Promise<void> {
    while (this.running) {
      const token = this.pick(worker);
      if (!token) {
        await sleep(100);
        continue;
      }
      const refresh = Math.random() < REFRESH_SHARE;
      const startedAt = process.hrtime.bigint();
      const answer: Answer = await this.send(() =>
        refresh
          ? this.http.form('/oauth/token', {
              grant_type: 'refresh_token',
              client_id: this.tenant.clientId,
              refresh_token: token.token,
            })
          : this.http.request('POST', '/delegation', {
              client_id: this.tenant.clientId,
              grant_type: JWT_BEARER,
              refresh_token: token.token,
              scope: 'openid',
            }),
      );
      const jti = jtiOf(answer);
      const category = this.ledger.recordDelegation(
        refresh ? 'refresh' : 'delegate',
        token.key,
        startedAt,
        answer.outcome,
        jti,
        this.apiDown,
      );
      if (BACK_OFF.has(category)) await sleep(BACKOFF_MS);
    }
  }

  private async issueOne(): Promise<Category> {
    const n = this.issuedCount++;
    const device = `chaos-device-${n}`;
    const user = this.tenant.users[n % this.tenant.users.length];
    const answer = await this.send(() =>
      this.http.form('/oauth/token', {
        grant_type: 'password',
        client_id: this.tenant.clientId,
        username: user.email,
        password: CHAOS_PASSWORD,
        scope: 'openid offline_access',
        device,
      }),
    );
    const refreshToken = answer.body?.refresh_token;
    const acked =
      answer.outcome.kind === 'response' && answer.outcome.status === 200 && typeof refreshToken === 'string';
    const category = this.ledger.recordIssue(
      answer.outcome,
      acked ? { tokenKey: device, userId: user.userId, clientId: this.tenant.clientId, device } : undefined,
      this.apiDown,
    );
    if (acked) {
      const token: PoolToken = { key: device, token: refreshToken, userId: user.userId, revokeSent: false };
      this.slices[n % this.slices.length].push(token);
      this.active.push(token);
    }
    return category;
  }

  private async issueLoop(): Promise<void> {
    while (this.running) {
      const category = await this.issueOne();
      await sleep(
        BACK_OFF.has(category)
          ? Math.max(BACKOFF_MS, this.config.issueIntervalMs)
          : this.config.issueIntervalMs,
      );
    }
  }

  private async revokeLoop(): Promise<void> {
    while (this.running) {
      await sleep(this.config.revokeIntervalMs);
      // Keep at least two live tokens per exchange loop: the traffic is mostly delegations.
      if (!this.running || this.active.length <= 2 * this.slices.length) continue;
      const index = Math.floor(Math.random() * this.active.length);
      const token = this.active[index];
      this.active[index] = this.active[this.active.length - 1];
      this.active.pop();
      const viaManagement = this.revocations++ % 2 === 0;
      const credentialId = viaManagement
        ? await this.tenant.credentialIdOf(token).catch(() => undefined)
        : undefined;
      this.ledger.revocationSent(token.key, process.hrtime.bigint());
      token.revokeSent = true;
      const answer = await this.send(() =>
        credentialId
          ? this.http.request('DELETE', `/api/v2/device-credentials/${credentialId}`, undefined, {
              authorization: `Bearer ${this.tenant.managementToken}`,
            })
          : this.http.form('/oauth/revoke', { client_id: this.tenant.clientId, token: token.token }),
      );
      this.ledger.recordRevocation(
        credentialId ? 'revoke-management' : 'revoke-oauth',
        token.key,
        process.hrtime.bigint(),
        answer.outcome,
        this.apiDown,
      );
    }
  }
}

/** The `jti` of the id_token a 200 carries (undefined for any other answer). */
export function jtiOf(answer: Answer): string | undefined {
  const idToken = answer.body?.id_token;
  if (answer.outcome.kind !== 'response' || answer.outcome.status !== 200 || typeof idToken !== 'string') {
    return undefined;
  }
  const jti = jwtPayload(idToken).jti;
  return typeof jti === 'string' ? jti : undefined;
}
