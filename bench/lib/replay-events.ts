import { randomBytes, randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { SCHEMA_VERSIONS, type EventEnvelope } from '@libs/domain';
import { encodeEnvelope, eventHash } from '@libs/event-store';
import type { KafkaProducer } from '@libs/messaging';

/** What the generated log contains: the bench checks the replayed view against these counts. */
export interface GeneratedLog {
  events: number;
  credentials: number;
  delegations: number;
  revocations: number;
  bytes: number;
  seconds: number;
}

export interface GenerateOptions {
  events: number;
  /** Credentials in use at the same time: their events interleave on the topic, as real traffic's do. */
  window: number;
  /** Messages per produce request (each partition's share must stay under 1 MB). */
  chunk?: number;
  onProgress?(produced: number): void;
}

const CLIENTS = ['ios-app', 'android-app', 'web-app', 'tv-app', 'partner-app'];
const REASONS = ['management_api', 'dashboard_unlink', 'oauth_revoke', 'user_blocked'] as const;

/** One credential's life still to be written: TokenIssued, some IdTokenDelegated, maybe TokenRevoked. */
class Credential {
  readonly id = `dcr_${randomBytes(15).toString('base64url')}`;
  readonly userId = `auth0|${randomBytes(12).toString('hex')}`;
  readonly clientId = CLIENTS[Math.floor(Math.random() * CLIENTS.length)];
  readonly delegations = 1 + Math.floor(Math.random() * 9); // 1–9, 5 on average
  readonly revoked = Math.random() < 0.3;
  version = 0;
  previousHash: string | null = null;

  get done(): boolean {
    return this.version >= 1 + this.delegations + (this.revoked ? 1 : 0);
  }

  /** The next event of this credential's stream, hash-chained to the previous one. */
  next(at: Date): EventEnvelope {
    const version = this.version + 1;
    const type =
      version === 1 ? 'TokenIssued' : version <= 1 + this.delegations ? 'IdTokenDelegated' : 'TokenRevoked';
    const iso = at.toISOString();
    const base = { credential_id: this.id, user_id: this.userId, client_id: this.clientId };
    const data: Record<string, unknown> =
      type === 'TokenIssued'
        ? {
            ...base,
            device_name: `device-${this.id.slice(4, 10)}`,
            scope: 'openid offline_access',
            token_hash: randomBytes(32).toString('base64url'),
            issued_at: iso,
            grant: Math.random() < 0.8 ? 'authorization_code' : 'password',
          }
        : type === 'IdTokenDelegated'
          ? {
              ...base,
              target: this.clientId,
              api_type: 'app',
              id_token_jti: randomUUID(),
              expires_at: new Date(at.getTime() + 36_000_000).toISOString(),
              delegated_at: iso,
              via: Math.random() < 0.5 ? 'delegation' : 'refresh_token',
              // The field schema version 2 added; a log of an older release simply lacks it.
              ...(SCHEMA_VERSIONS.IdTokenDelegated >= 2 ? { scope: 'openid' } : {}),
            }
          : {
              ...base,
              device_name: `device-${this.id.slice(4, 10)}`,
              reason: REASONS[Math.floor(Math.random() * REASONS.length)],
              actor: 'bench@clients',
              revoked_at: iso,
            };
    const unsigned = {
      event_id: randomUUID(),
      type,
      schema_version: SCHEMA_VERSIONS[type],
      stream_id: this.id,
      stream_version: version,
      occurred_at: iso,
      correlation_id: `bench-${randomBytes(6).toString('hex')}`,
      causation_id: null,
      previous_hash: this.previousHash,
      data,
    } as unknown as Omit<EventEnvelope, 'hash'>;
    const envelope = { ...unsigned, hash: eventHash(unsigned) } as EventEnvelope;
    this.version = version;
    this.previousHash = envelope.hash;
    return envelope;
  }
}

/**
 * Writes `events` valid envelopes to `topic` through the project's idempotent producer (key = stream
 * id, murmur2 partitioner, as the relay publishes): `window` credentials live at a time, each event
 * picked from a random live credential, so one credential's events spread over a stretch of the log
 * (several Kafka batches) instead of sitting together. Hash chains are real: `verify` would pass.
 */
export async function generateLog(
  producer: KafkaProducer,
  topic: string,
  options: GenerateOptions,
): Promise<GeneratedLog> {
  const started = performance.now();
  const chunk = options.chunk ?? 1_500;
  const live: Credential[] = [];
  const log: GeneratedLog = {
    events: 0,
    credentials: 0,
    delegations: 0,
    revocations: 0,
    bytes: 0,
    seconds: 0,
  };
  const clock = Date.now() - options.events * 10;
  let pending: Message[] = [];
  while (log.events < options.events) {
    if (live.length < options.window) {
      live.push(new Credential());
      continue;
    }
    const slot = Math.floor(Math.random() * live.length);
    const credential = live[slot];
    const envelope = credential.next(new Date(clock + log.events * 10));
    if (envelope.type === 'TokenIssued') log.credentials++;
    else if (envelope.type === 'IdTokenDelegated') log.delegations++;
    else log.revocations++;
    log.events++;
    const message = encodeEnvelope(envelope);
    log.bytes += Buffer.byteLength(message.value as string);
    pending.push(message);
    if (credential.done) live[slot] = new Credential();
    if (pending.length >= chunk) {
      await producer.send(topic, pending);
      pending = [];
      options.onProgress?.(log.events);
    }
  }
  if (pending.length > 0) await producer.send(topic, pending);
  log.seconds = (performance.now() - started) / 1000;
  return log;
}
