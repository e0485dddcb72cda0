import { Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

/** Development-only defaults; `loadConfig` refuses them when NODE_ENV=production. */
export const DEVELOPMENT_SECRETS = {
  SERVER_SECRET: 'development-only-server-secret-change-me-0123456789',
  MANAGEMENT_CLIENT_SECRET: 'development-only-management-secret',
  DASHBOARD_ADMIN_PASSWORD: 'development-only-dashboard-password',
} as const;

/**
 * Every environment variable the service reads, with its default and its rule.
 * Validated once at boot by `loadConfig`; nothing else reads `process.env`.
 */
export class EnvDto {
  /** Base URL of the public origin (Auth0's tenant domain); issuer of every token. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PUBLIC_URL = 'http://127.0.0.1:3000';

  /** Interface the HTTP servers bind to. */
  @IsString()
  @IsNotEmpty()
  HOST = '127.0.0.1';

  /** Port of the public API. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  /** Port of the projector's health endpoint. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PROJECTOR_PORT = 3001;

  /** PostgreSQL connection string of the schema's owner: migrations run as it (and the apps, unless below). */
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/refresh_tokens';

  /**
   * The api's connection (least privilege: a role that may append events but never change them).
   * Empty: the api connects as `DATABASE_URL`. Migrations create the role it names and grant it.
   */
  @Matches(/^(postgres(ql)?:\/\/\S+)?$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_API_URL = '';

  /** The projector's connection (a role that writes the views and checkpoints only); empty: `DATABASE_URL`. */
  @Matches(/^(postgres(ql)?:\/\/\S+)?$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_PROJECTOR_URL = '';

  /** Port of the api's Prometheus `/metrics` (a separate listener, never on the public origin); 0: any free port. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT = 9464;

  /** Port of the projector's Prometheus `/metrics`; 0: any free port. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PROJECTOR_METRICS_PORT = 9465;

  /** Comma-separated Kafka bootstrap brokers (host:port). */
  @Matches(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, { message: 'must be a comma-separated list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  /** Kafka client id prefix; each process appends its role. */
  @Matches(/^[A-Za-z0-9._-]+$/, { message: 'must contain only letters, digits, ".", "_" and "-"' })
  KAFKA_CLIENT_ID = 'refresh-token-service';

  /** Prefix of every topic name; lets several environments share a cluster. */
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'must contain only letters, digits, ".", "_" and "-"' })
  KAFKA_TOPIC_PREFIX = '';

  /** Partitions of the event topic when the service creates it. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_PARTITIONS = 3;

  /** Replicas of the event topic when the service creates it: 1 for a single broker, 3 in production. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  KAFKA_REPLICATION_FACTOR = 1;

  /**
   * Replicas that must hold an event before the broker acknowledges it (the producer uses acks=all):
   * at most the replication factor; 2 of 3 survives the loss of a broker.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(32)
  KAFKA_MIN_INSYNC_REPLICAS = 1;

  /** `true`: connect to the brokers over TLS (a private CA through Node's `NODE_EXTRA_CA_CERTS`). */
  @IsIn(['true', 'false'])
  KAFKA_SSL: 'true' | 'false' = 'false';

  /** SASL mechanism towards the brokers: empty (none), `scram-sha-256` or `scram-sha-512`. */
  @IsIn(['', 'scram-sha-256', 'scram-sha-512'])
  KAFKA_SASL_MECHANISM: '' | 'scram-sha-256' | 'scram-sha-512' = '';

  /** SASL user (required with `KAFKA_SASL_MECHANISM`). */
  @Matches(/^[^\s]{0,255}$/, { message: 'must be at most 255 characters without spaces' })
  KAFKA_SASL_USERNAME = '';

  /** SASL password (required with `KAFKA_SASL_MECHANISM`); never logged. */
  @IsString()
  @MaxLength(1024)
  KAFKA_SASL_PASSWORD = '';

  /** `production` refuses the development secrets. */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  /**
   * Master secret (≥ 32 characters). Keys for refresh-token hashing (HMAC-SHA-256), signing-key
   * encryption and CSRF tokens are derived from it with HKDF, one per purpose.
   */
  @IsString()
  @MinLength(32)
  SERVER_SECRET: string = DEVELOPMENT_SECRETS.SERVER_SECRET;

  /**
   * Earlier values of `SERVER_SECRET`, comma-separated (each ≥ 32 characters, none `SERVER_SECRET` itself),
   * whose keys are still accepted: refresh tokens, sealed client secrets and signing keys made under one
   * keep working, while everything new is made under `SERVER_SECRET` (docs/operations.md, "Rotating
   * SERVER_SECRET"). Empty (default): none.
   */
  @IsString()
  SERVER_SECRETS_PREVIOUS = '';

  /**
   * Secret (≥ 32 characters) of the keyed hash chain of the event log (HMAC-SHA-256, key derived with
   * HKDF, purpose `audit-chain`). Empty: derived from `SERVER_SECRET` instead. Set it so that auditors
   * (`npm run audit -- verify`) and the projector can check the chain without holding `SERVER_SECRET`.
   * Never stored in the database.
   */
  @ValidateIf((env: EnvDto) => env.AUDIT_KEY !== '')
  @IsString()
  @MinLength(32)
  AUDIT_KEY = '';

  /**
   * OTLP/HTTP base URL of a trace collector (e.g. `http://127.0.0.1:4318`); traces go to
   * `<url>/v1/traces` as JSON. Empty (default): tracing is off and costs nothing.
   */
  @ValidateIf((env: EnvDto) => env.OTEL_EXPORTER_OTLP_ENDPOINT !== '')
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  OTEL_EXPORTER_OTLP_ENDPOINT = '';

  /** The bootstrap machine-to-machine application that may call the Management API. */
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'must be 8 to 64 letters, digits, "_" or "-"' })
  MANAGEMENT_CLIENT_ID = 'management-bootstrap';

  /** Its client secret (≥ 16 characters); stored only as a hash. */
  @IsString()
  @MinLength(16)
  MANAGEMENT_CLIENT_SECRET: string = DEVELOPMENT_SECRETS.MANAGEMENT_CLIENT_SECRET;

  /**
   * Email of the dashboard's administrator. Read once: it is stored with the password's hash when the
   * dashboard has no administrator yet (the first start); changing it later does not change the stored one.
   */
  @IsEmail({ require_tld: false }, { message: 'must be an email address' })
  DASHBOARD_ADMIN_EMAIL = 'admin@example.com';

  /** The administrator's password (12 to 128 characters), stored as a scrypt hash at the first start only. */
  @IsString()
  @MinLength(12)
  @MaxLength(128)
  DASHBOARD_ADMIN_PASSWORD: string = DEVELOPMENT_SECRETS.DASHBOARD_ADMIN_PASSWORD;

  /** Requests per minute per IP and user on /delegation and the refresh-token grant (Auth0: 10). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  DELEGATION_RATE_LIMIT_PER_MINUTE = 10;

  /** Unknown or unusable refresh tokens per minute per IP and per client before answers slow to 429. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  DELEGATION_FAILURE_LIMIT_PER_MINUTE = 30;

  /**
   * Failed logins per hour from one address, whatever the emails (Auth0's suspicious IP throttling:
   * 100), beside the 10 per 15 minutes per address and email; then 429 `too_many_attempts` until the
   * hour ends. 0: no per-address budget.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  LOGIN_FAILURES_PER_ADDRESS_PER_HOUR = 100;

  /**
   * Password hashes (scrypt, ~32 MiB and tens to hundreds of ms of one core each) computed at once per
   * process; keep it under the cores and under libuv's thread pool (4 by default), which also runs the
   * id_token signatures: password work never starves the exchange.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY = 1;

  /** Password checks waiting for a hashing slot; the next one is answered 503 `temporarily_unavailable`. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  PASSWORD_HASH_QUEUE = 16;

  /**
   * Redis that every limit and brute-force counter is kept in, shared by every replica (ADR 0010):
   * `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). Empty (default): each process counts
   * in its own memory. While Redis is down the limits fail open to per-process counts.
   */
  @ValidateIf((env: EnvDto) => env.REDIS_URL !== '')
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = '';

  /** Prefix of every limit key in Redis: lets several environments share one Redis. */
  @Matches(/^[A-Za-z0-9._:-]*$/, { message: 'must contain only letters, digits, ".", "_", ":" and "-"' })
  LIMITS_KEY_PREFIX = 'rts:';

  /**
   * Connections of the control plane's own PostgreSQL pool (revocations, user blocking), beside the
   * process's pool of 20: a revocation never waits for a connection the delegations keep busy. Opened
   * on first use. 0: no separate pool (the control plane keeps its own statement lanes only).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(50)
  DATABASE_CONTROL_POOL_SIZE = 4;

  /**
   * Admission control: `/delegation` and refresh-token grants in flight at once before more are
   * answered 503 `temporarily_unavailable` with `Retry-After` at once (instead of queueing). 0: no bound.
   * The default only stops a process far past its capacity (a closed loop of a few dozen clients is never
   * shed); a latency budget needs about capacity × budget (docs/operations.md, "Overload").
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100_000)
  OVERLOAD_MAX_INFLIGHT = 256;

  /**
   * Admission control: the event loop's delay (p99 of a 250 ms window, `monitorEventLoopDelay`) above
   * which the in-flight bound is halved for the next window (raised again by an eighth per window under
   * it). High by default: a busy shared machine stalls a process for a few hundred ms now and then.
   * 0: not checked.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS = 500;

  /** Items waiting per hot-path statement queue (group commit, look-ups) before more are refused (503). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  OVERLOAD_MAX_QUEUE = 10_000;

  /**
   * DPoP (RFC 9449 §8): `true` makes every proof at the token endpoint carry a nonce this server issued
   * (a client without one is answered `use_dpop_nonce` with a fresh `DPoP-Nonce`); `false` accepts
   * proofs without a nonce (a nonce sent is still checked).
   */
  @IsIn(['true', 'false'])
  DPOP_NONCE_REQUIRED: 'true' | 'false' = 'false';

  /** The `Retry-After` (seconds) of a request shed under overload. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3_600)
  OVERLOAD_RETRY_AFTER_SECONDS = 1;

  /**
   * Proxies whose `X-Forwarded-For` is believed (Express `trust proxy`): `false` (default: the socket's
   * address is the client's), `loopback`, a hop count, or comma-separated addresses/CIDRs. Rate limits
   * key on the resulting address, so trusting every proxy (`true`) is refused.
   */
  @Matches(/^(false|loopback|linklocal|uniquelocal|\d{1,2}|[0-9A-Fa-f:./]+(\s*,\s*[0-9A-Fa-f:./]+)*)$/, {
    message: 'must be false, loopback, linklocal, uniquelocal, a hop count, or addresses/CIDRs',
  })
  TRUST_PROXY = 'false';

  /** Minimum pino level written to stdout. */
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
}
