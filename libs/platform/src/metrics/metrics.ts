import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What a failed call was talking to, for `dependency_errors_total`. */
export type Dependency = 'postgres' | 'kafka' | 'unknown';

/** kafkajs names its errors `KafkaJS…`; pg and TypeORM errors carry a SQLSTATE or a driver error. */
export function dependencyOf(error: unknown): Dependency {
  const e = error as { name?: unknown; code?: unknown; driverError?: unknown } | undefined;
  if (!e || typeof e !== 'object') return 'unknown';
  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS')) return 'kafka';
  if (e.name === 'QueryFailedError' || e.driverError !== undefined || e.name === 'DatabaseError')
    return 'postgres';
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return 'postgres';
  return 'unknown';
}

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus registry and the named metrics the code increments. Served on a port of its
 * own (`METRICS_PORT`, `PROJECTOR_METRICS_PORT`), never on the public origin. Default Node metrics
 * (event-loop lag, heap, GC, CPU) come with it.
 */
@Injectable()
export class Metrics implements OnApplicationShutdown {
  readonly registry = new Registry();

  /** Every HTTP request: route pattern (never the raw URL), method and status. */
  readonly httpRequests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  /** Refresh-token exchanges (`/delegation`, refresh grant): `ok`, `refused` (with a reason), `rate_limited`, `error`. */
  readonly exchanges = new Counter({
    name: 'token_exchanges_total',
    help: 'Refresh-token exchanges by endpoint and outcome',
    labelNames: ['via', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  /** `TokenRevoked` events this process recorded, by reason. */
  readonly revocations = new Counter({
    name: 'credential_revocations_total',
    help: 'Credentials revoked, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Rows waiting in the outbox (set at each scrape by the relay's process). */
  readonly outboxDepth = new Gauge({
    name: 'outbox_depth',
    help: 'Events committed but not yet acknowledged by Kafka',
    registers: [this.registry],
  });

  /** From commit to Kafka's acknowledgement, per relayed event. */
  readonly relayLag = new Histogram({
    name: 'outbox_relay_lag_seconds',
    help: 'Time from an event being committed to Kafka acknowledging it',
    buckets: SECONDS,
    registers: [this.registry],
  });

  readonly relayed = new Counter({
    name: 'outbox_relayed_events_total',
    help: 'Events the relay published to Kafka',
    registers: [this.registry],
  });

  /** Messages behind the partition's high watermark when the projector applied a batch. */
  readonly consumerLag = new Gauge({
    name: 'kafka_consumer_lag',
    help: 'Messages the consumer group is behind, per partition',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  /** Age of the newest event the projector applied, per partition, when it applied it. */
  readonly projectorLag = new Gauge({
    name: 'projector_lag_seconds',
    help: 'Time from an event reaching Kafka to the projector applying it, per partition',
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });

  readonly projected = new Counter({
    name: 'projector_events_applied_total',
    help: 'Events the projector applied to the views',
    registers: [this.registry],
  });

  /**
   * Events from the topic the projector did not apply because their hash-chain link did not verify
   * (`reason`: the break), or because their stream had already stopped on one (`stream_broken`).
   * Anything above zero means the topic holds an event the store did not write: alert on it.
   */
  readonly refusedEvents = new Counter({
    name: 'projector_refused_events_total',
    help: 'Events the projector refused: a broken hash-chain link, or a stream stopped on one',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** Hot-path requests answered 503 at once under overload, by what was over its bound. */
  readonly shed = new Counter({
    name: 'overload_shed_total',
    help: 'Requests shed under overload (503 + Retry-After), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /**
   * Refresh tokens found, and client secrets and signing keys opened, under a previous server secret's
   * key (`SERVER_SECRETS_PREVIOUS`), by purpose and key id: while it grows, that secret is still needed.
   */
  readonly previousSecretKeyUses = new Counter({
    name: 'previous_secret_key_uses_total',
    help: 'Values accepted under a previous server secret (SERVER_SECRETS_PREVIOUS), by purpose and key id',
    labelNames: ['purpose', 'key_id'] as const,
    registers: [this.registry],
  });

  /** Failed calls to PostgreSQL or Kafka, by where they failed. */
  readonly dependencyErrors = new Counter({
    name: 'dependency_errors_total',
    help: 'Errors talking to PostgreSQL or Kafka',
    labelNames: ['dependency', 'operation'] as const,
    registers: [this.registry],
  });

  private readonly logger = new Logger(Metrics.name);
  private readonly beforeScrape: Array<() => Promise<void>> = [];
  private server?: Server;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts an error of a dependency call at `operation`. */
  failed(error: unknown, operation: string): void {
    this.dependencyErrors.inc({ dependency: dependencyOf(error), operation });
  }

  /** A relayed batch: how many, and how long each waited since it was committed. */
  recordRelay(occurredAt: string[]): void {
    this.relayed.inc(occurredAt.length);
    for (const at of occurredAt) this.relayLag.observe(Math.max(0, Date.now() - Date.parse(at)) / 1000);
  }

  /** A projected batch: events applied, the partition's remaining lag and the newest event's age. */
  recordProjection(batch: {
    group: string;
    topic: string;
    partition: number;
    applied: number;
    offsetLag: string;
    lastTimestamp: string;
  }): void {
    const { group, topic, partition } = batch;
    this.projected.inc(batch.applied);
    this.consumerLag.set({ group, topic, partition }, Number(batch.offsetLag));
    this.projectorLag.set({ partition }, Math.max(0, Date.now() - Number(batch.lastTimestamp)) / 1000);
  }

  /** Runs `refresh` before each scrape (gauges read from the database); a failure leaves the old value. */
  onScrape(refresh: () => Promise<void>): void {
    this.beforeScrape.push(refresh);
  }

  /** Express middleware timing every request under its route pattern (`unmatched` when no route took it). */
  httpMiddleware() {
    return (req: IncomingMessage, res: ServerResponse, next: () => void) => {
      const end = this.httpRequests.startTimer({ method: req.method });
      res.once('finish', () => {
        const routed = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
        const path = routed.route?.path;
        const route = typeof path === 'string' ? `${routed.baseUrl ?? ''}${path}` : 'unmatched';
        end({ route, status: String(res.statusCode) });
      });
      next();
    };
  }

  /** The exposition text, gauges refreshed first. */
  async scrape(): Promise<string> {
    await Promise.allSettled(this.beforeScrape.map((refresh) => refresh()));
    return this.registry.metrics();
  }

  /** Serves `GET /metrics` on its own listener; resolves with the port (0 picks a free one). */
  async listen(port: number, host: string, service: string): Promise<number> {
    this.registry.setDefaultLabels({ service });
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.scrape().then(
        (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    const bound = (server.address() as AddressInfo).port;
    this.logger.log({ msg: 'metrics listening', url: `http://${host}:${bound}/metrics` });
    return bound;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
