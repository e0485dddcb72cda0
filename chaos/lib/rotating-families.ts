import { deriveKey, SecretKeys } from '@libs/security';
import { EVENT_COLUMNS, EventHasher, envelopeFromRow } from '@libs/event-store';
import { TenantClient } from '@libs/testing';
import type { ChaosConfig } from './chaos-config';
import { ChaosHttp, type Answer } from './chaos-http';
import type { ChaosStack } from './chaos-stack';
import { CHAOS_PASSWORD, jtiOf, type ChaosTraffic } from './chaos-traffic';
import { auditFamilies, type FamilyAudit, type FamilyClient, type FamilyEvent } from './family-audit';
import { sleep } from './waits';

/** After no answer (or a 5xx, a 503) a client waits this long, then sends the same token again. */
const RETRY_MS = 200;
/** The exchange after recovery is tried this many times when it gets no answer. */
const FINAL_ATTEMPTS = 10;

/** Auth0's `refresh_token` client object: rotating, expiring (long enough not to end within the run). */
const rotatingPolicy = (leeway: number) => ({
  rotation_type: 'rotating',
  expiration_type: 'expiring',
  leeway,
  token_lifetime: 86_400,
  infinite_token_lifetime: false,
  idle_token_lifetime: 3_600,
  infinite_idle_token_lifetime: false,
});

interface Family {
  key: string;
  userId: string;
  /** The token the client holds: the last one it received. */
  current: string;
  received: string[];
  sent: Record<string, number>;
  /** When the current token was first sent without an answer yet (a retry is pending). */
  pendingSince?: number;
  /** The first refusal (a 4xx): the client stops using the family. */
  refused?: string;
}

/**
 * Clients of a rotating refresh-token policy, each driving one family: it exchanges its current token
 * at the token endpoint in a loop (`grant_type=refresh_token`), keeps the token each answer returns, and
 * after no answer — the api killed with the request in flight — sends the *same* token again until it
 * gets one (a network retry: the leeway must absorb it when the lost answer had rotated the token).
 * One request per family at a time, as one device. Every answer is recorded in the traffic's ledger,
 * so the run's checks (jtis in the store, 4xx, 5xx, hangs) cover these exchanges too.
 */
export class RotatingFamilies {
  readonly families: Family[] = [];
  clientId = '';
  retries = 0;
  /** The longest a token waited, from its first send, for the retry that got an answer (ms). */
  longestRetryMs = 0;
  inFlight = 0;
  /** Exchanges answered with the family's next token. */
  rotated = 0;
  /** 200s to a rotating family's exchange without a new refresh token (it must always rotate). */
  notRotated = 0;
  private readonly http: ChaosHttp;
  private readonly keys: SecretKeys;
  private readonly hasher: EventHasher;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly notes: string[] = [];

  constructor(
    private readonly stack: ChaosStack,
    private readonly traffic: ChaosTraffic,
    private readonly config: ChaosConfig,
  ) {
    // Its own sockets: these clients never wait for the background traffic's.
    this.http = new ChaosHttp(stack.url, config.requestTimeoutMs, config.rotatingFamilies + 4);
    this.keys = new SecretKeys(stack.env.SERVER_SECRET);
    this.hasher = new EventHasher(deriveKey(stack.env.AUDIT_KEY, 'audit-chain'));
  }

  /** The keyed hash the api stores for a refresh token. */
  hash(token: string): string {
    return this.keys.refreshTokenHash(token);
  }

  /** A native client with the rotating policy, two users, and one family per client (password grant). */
  async setUp(): Promise<void> {
    const tenant = new TenantClient(this.stack.url);
    ({ client_id: this.clientId } = await tenant.createClient({
      name: 'Chaos rotating app',
      app_type: 'native',
      callbacks: ['com.example.chaos-rotating://callback'],
      grant_types: ['password', 'refresh_token'],
      jwt_configuration: { alg: 'ES256', lifetime_in_seconds: 36_000 },
      refresh_token: rotatingPolicy(this.config.rotationLeewayS),
    }));
    const users: { userId: string; email: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const user = await tenant.createUser(`chaos-rotating-${i}@example.com`, CHAOS_PASSWORD);
      users.push({ userId: user.user_id, email: user.email });
    }
    let next = 0;
    const issue = async () => {
      while (next < this.config.rotatingFamilies) {
        const n = next++;
        const key = `chaos-rotating-${n}`;
        const user = users[n % users.length];
        const answer = await this.http.form('/oauth/token', {
          grant_type: 'password',
          client_id: this.clientId,
          username: user.email,
          password: CHAOS_PASSWORD,
          scope: 'openid offline_access',
          device: key,
        });
        const token = answer.body?.refresh_token;
        const ok = answer.outcome.kind === 'response' && answer.outcome.status === 200;
        this.traffic.ledger.recordIssue(
          answer.outcome,
          ok ? { tokenKey: key, userId: user.userId, clientId: this.clientId, device: key } : undefined,
          this.traffic.apiDown,
        );
        if (!ok || typeof token !== 'string') {
          throw new Error(
            `the rotating family ${key} could not be issued: ${JSON.stringify(answer.outcome)}`,
          );
        }
        this.families.push({
          key,
          userId: user.userId,
          current: token,
          received: [this.hash(token)],
          sent: {},
        });
      }
    };
    // A few at a time: each is a scrypt check.
    await Promise.all(Array.from({ length: 4 }, issue));
  }

  start(): void {
    this.running = true;
    this.loops = this.families.map((family) => this.loop(family));
  }

  /** Stops every client; resolves once each has its last answer. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  close(): void {
    this.http.close();
  }

  /** Families a client stopped using because it was refused. */
  get refused(): Family[] {
    return this.families.filter((f) => f.refused !== undefined);
  }

  /** Families in use whose current token was sent without an answer yet (a retry pending). */
  get pending(): number {
    return this.families.filter((f) => f.pendingSince !== undefined && f.refused === undefined).length;
  }

  private async loop(family: Family): Promise<void> {
    while (this.running && family.refused === undefined) {
      const category = await this.exchange(family);
      if (category === 'retry') await sleep(RETRY_MS);
      if (category === 'refused') this.note(`${family.key}: refused during the traffic (${family.refused})`);
    }
  }

  /**
   * One exchange of the family's current token: 'ok' (the next token is now current), 'refused' (a
   * 4xx: the family is refused), or 'retry' (no answer, a 5xx or a 503: the same token must be sent again).
   */
  private async exchange(family: Family): Promise<'ok' | 'refused' | 'retry'> {
    const presented = this.hash(family.current);
    family.sent[presented] = (family.sent[presented] ?? 0) + 1;
    if (family.pendingSince === undefined) family.pendingSince = performance.now();
    else this.retries++;
    const startedAt = process.hrtime.bigint();
    this.inFlight++;
    let answer: Answer;
    try {
      answer = await this.http.form('/oauth/token', {
        grant_type: 'refresh_token',
        client_id: this.clientId,
        refresh_token: family.current,
      });
    } finally {
      this.inFlight--;
    }
    const category = this.traffic.ledger.recordDelegation(
      'refresh',
      family.key,
      startedAt,
      answer.outcome,
      jtiOf(answer),
      this.traffic.apiDown,
    );
    if (category === 'acked') {
      const next = answer.body?.refresh_token;
      if (typeof next !== 'string') {
        // Not a rotation: the family's token did not change (the audit finds no TokenRotated for it).
        this.notRotated++;
        this.note(`${family.key}: a 200 without a refresh_token`);
        family.refused = 'a 200 without a refresh_token';
        return 'refused';
      }
      if (family.sent[presented] > 1) {
        this.longestRetryMs = Math.max(this.longestRetryMs, performance.now() - family.pendingSince);
      }
      family.pendingSince = undefined;
      this.rotated++;
      family.current = next;
      family.received.push(this.hash(next));
      return 'ok';
    }
    const { outcome } = answer;
    if (outcome.kind === 'response' && outcome.status >= 400 && outcome.status < 500) {
      family.refused = `HTTP ${outcome.status} ${outcome.error ?? ''}`.trim();
      return 'refused';
    }
    return 'retry';
  }

  /**
   * After recovery, each family's current token once more (retried while there is no answer): the
   * families whose token no longer exchanges are lost.
   */
  async exchangeAfterRecovery(): Promise<{ usable: number; unusable: number }> {
    let usable = 0;
    await Promise.all(
      this.families.map(async (family) => {
        family.refused = undefined;
        for (let attempt = 0; attempt < FINAL_ATTEMPTS; attempt++) {
          const result = await this.exchange(family);
          if (result === 'ok') {
            usable++;
            return;
          }
          if (result === 'refused') break;
          await sleep(RETRY_MS);
        }
        this.note(
          `${family.key}: its current token does not exchange after recovery (${family.refused ?? 'no answer'})`,
        );
      }),
    );
    return { usable, unusable: this.families.length - usable };
  }

  /** Reads each family's stream and audits it against what its client was told. */
  async audit(): Promise<FamilyAudit> {
    const issued = this.families.map((f) => f.received[0]);
    const ids: { stream_id: string; token_hash: string }[] = await this.stack.db.query(
      `SELECT stream_id, data ->> 'token_hash' AS token_hash FROM events
        WHERE type = 'TokenIssued' AND data ->> 'token_hash' = ANY($1::text[])`,
      [issued],
    );
    const familyOf = new Map(ids.map((r) => [r.token_hash, r.stream_id]));
    const rows: Parameters<typeof envelopeFromRow>[0][] = await this.stack.db.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version`,
      [[...familyOf.values()]],
    );
    const streams = new Map<string, FamilyEvent[]>();
    for (const row of rows) {
      const envelope = envelopeFromRow(row);
      const events = streams.get(envelope.stream_id) ?? [];
      events.push({
        type: envelope.type,
        version: envelope.stream_version,
        previousHash: envelope.previous_hash,
        hash: envelope.hash,
        hashVerifies: this.hasher.verify(envelope),
        data: envelope.data as unknown as Record<string, unknown>,
      });
      streams.set(envelope.stream_id, events);
    }
    const clients: FamilyClient[] = this.families.map((f) => ({
      key: f.key,
      familyId: familyOf.get(f.received[0]),
      received: f.received,
      sent: f.sent,
    }));
    const audit = auditFamilies(clients, streams, this.config.rotationLeewayS);
    return { ...audit, samples: [...audit.samples, ...this.notes].slice(0, 10) };
  }

  private note(line: string): void {
    if (this.notes.length < 10) this.notes.push(line);
  }
}
