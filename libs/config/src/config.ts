import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { DEVELOPMENT_SECRETS, EnvDto } from './env.dto';

/** The typed, validated configuration injected everywhere (DI token and type). */
export abstract class AppConfig {
  abstract readonly publicUrl: string;
  abstract readonly http: { host: string; port: number; projectorPort: number };
  /** `url`: the owner (migrations); `api` / `projector`: each process's own connection (least privilege). */
  abstract readonly database: { url: string; api: string; projector: string; controlPoolSize: number };
  /** Ports of the Prometheus `/metrics` listeners. */
  abstract readonly metrics: { apiPort: number; projectorPort: number };
  abstract readonly kafka: {
    brokers: string[];
    clientId: string;
    topicPrefix: string;
    partitions: number;
    replicationFactor: number;
    minInsyncReplicas: number;
    /** TLS towards the brokers. */
    ssl: boolean;
    /** SASL/SCRAM credentials; null: no authentication. */
    sasl: { mechanism: 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | null;
  };
  abstract readonly logLevel: EnvDto['LOG_LEVEL'];
  /** Express `trust proxy` setting (false: trust no proxy). */
  abstract readonly trustProxy: string | number | false;
  abstract readonly environment: EnvDto['NODE_ENV'];
  abstract readonly serverSecret: string;
  /** `SERVER_SECRETS_PREVIOUS`: earlier server secrets whose keys still open and verify, never used to make anything. */
  abstract readonly previousServerSecrets: readonly string[];
  /** DPoP proofs at the token endpoint must carry a server nonce (`DPOP_NONCE_REQUIRED`). */
  abstract readonly dpopNonceRequired: boolean;
  /** `AUDIT_KEY`: the secret of the event log's keyed hash chain; null: derived from `serverSecret`. */
  abstract readonly auditSecret: string | null;
  /** OpenTelemetry: the OTLP/HTTP collector's base URL; null: tracing off. */
  abstract readonly tracing: { otlpEndpoint: string | null };
  abstract readonly managementClient: { clientId: string; clientSecret: string };
  abstract readonly rateLimits: { delegationPerMinute: number; failuresPerMinute: number };
  /** Failed logins per address and hour (0: off), and the bounded password hashing (issue 19, finding 2). */
  abstract readonly logins: { failuresPerAddressPerHour: number; hashConcurrency: number; hashQueue: number };
  /** Where every limiter counts (ADR 0010): Redis at `redisUrl`, or each process's memory when null. */
  abstract readonly limits: { redisUrl: string | null; keyPrefix: string };
  /** Admission control and bounded queues on the hot path (docs/operations.md, "Overload"); 0 = off. */
  abstract readonly overload: {
    maxInFlight: number;
    maxEventLoopDelayMs: number;
    maxQueue: number;
    retryAfterSeconds: number;
  };
  /** The dashboard administrator seeded at the first start (see `DASHBOARD_ADMIN_EMAIL`). */
  abstract readonly dashboardAdmin: { email: string; password: string };
  /** True when a development default secret is in use (never allowed in production). */
  abstract readonly usesDevelopmentSecrets: boolean;
}

/** Thrown when the environment does not describe a runnable service; names every bad variable. */
export class InvalidConfigError extends Error {
  static readonly code = 'ERR_INVALID_CONFIG';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

// A rejected secret or password is named, never echoed.
const shown = (property: string, raw: unknown) =>
  /SECRET|PASSWORD|_KEY$/.test(property) ? '[redacted]' : JSON.stringify(raw);
const describe = (error: ValidationError, raw: unknown): string =>
  `${error.property}=${shown(error.property, raw)}: ${Object.values(error.constraints ?? {}).join('; ')}`;

/**
 * Validates the environment once and returns the typed configuration.
 *
 * @example
 * const config = loadConfig(process.env); // throws InvalidConfigError naming each bad variable
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const defined = Object.fromEntries(
    Object.keys(new EnvDto())
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const dto = plainToInstance(EnvDto, defined, { exposeDefaultValues: true });
  const errors = validateSync(dto, { forbidUnknownValues: true });
  if (errors.length > 0) throw new InvalidConfigError(errors.map((e) => describe(e, env[e.property])));

  // Otherwise every acks=all produce would fail with NOT_ENOUGH_REPLICAS, forever.
  if (dto.KAFKA_MIN_INSYNC_REPLICAS > dto.KAFKA_REPLICATION_FACTOR) {
    throw new InvalidConfigError([
      `KAFKA_MIN_INSYNC_REPLICAS=${dto.KAFKA_MIN_INSYNC_REPLICAS}: must not exceed KAFKA_REPLICATION_FACTOR=${dto.KAFKA_REPLICATION_FACTOR}`,
    ]);
  }

  if (dto.KAFKA_SASL_MECHANISM !== '' && (!dto.KAFKA_SASL_USERNAME || !dto.KAFKA_SASL_PASSWORD)) {
    throw new InvalidConfigError([
      `KAFKA_SASL_MECHANISM=${dto.KAFKA_SASL_MECHANISM}: needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
    ]);
  }

  const previousServerSecrets = previousSecretsOf(dto);

  const developmentSecrets = (
    Object.keys(DEVELOPMENT_SECRETS) as (keyof typeof DEVELOPMENT_SECRETS)[]
  ).filter((key) => dto[key] === DEVELOPMENT_SECRETS[key]);
  if (dto.NODE_ENV === 'production' && developmentSecrets.length > 0) {
    throw new InvalidConfigError(
      developmentSecrets.map((key) => `${key}: must be set to a secret of your own when NODE_ENV=production`),
    );
  }

  return {
    publicUrl: dto.PUBLIC_URL.replace(/\/+$/, ''),
    http: { host: dto.HOST, port: dto.PORT, projectorPort: dto.PROJECTOR_PORT },
    database: {
      url: dto.DATABASE_URL,
      api: dto.DATABASE_API_URL || dto.DATABASE_URL,
      projector: dto.DATABASE_PROJECTOR_URL || dto.DATABASE_URL,
      controlPoolSize: dto.DATABASE_CONTROL_POOL_SIZE,
    },
    metrics: { apiPort: dto.METRICS_PORT, projectorPort: dto.PROJECTOR_METRICS_PORT },
    kafka: {
      brokers: dto.KAFKA_BROKERS.split(','),
      clientId: dto.KAFKA_CLIENT_ID,
      topicPrefix: dto.KAFKA_TOPIC_PREFIX,
      partitions: dto.KAFKA_PARTITIONS,
      replicationFactor: dto.KAFKA_REPLICATION_FACTOR,
      minInsyncReplicas: dto.KAFKA_MIN_INSYNC_REPLICAS,
      ssl: dto.KAFKA_SSL === 'true',
      sasl:
        dto.KAFKA_SASL_MECHANISM === ''
          ? null
          : {
              mechanism: dto.KAFKA_SASL_MECHANISM,
              username: dto.KAFKA_SASL_USERNAME,
              password: dto.KAFKA_SASL_PASSWORD,
            },
    },
    logLevel: dto.LOG_LEVEL,
    trustProxy:
      dto.TRUST_PROXY === 'false'
        ? false
        : /^\d+$/.test(dto.TRUST_PROXY)
          ? Number(dto.TRUST_PROXY)
          : dto.TRUST_PROXY,
    environment: dto.NODE_ENV,
    serverSecret: dto.SERVER_SECRET,
    previousServerSecrets,
    dpopNonceRequired: dto.DPOP_NONCE_REQUIRED === 'true',
    auditSecret: dto.AUDIT_KEY || null,
    tracing: { otlpEndpoint: dto.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '') || null },
    managementClient: { clientId: dto.MANAGEMENT_CLIENT_ID, clientSecret: dto.MANAGEMENT_CLIENT_SECRET },
    rateLimits: {
      delegationPerMinute: dto.DELEGATION_RATE_LIMIT_PER_MINUTE,
      failuresPerMinute: dto.DELEGATION_FAILURE_LIMIT_PER_MINUTE,
    },
    logins: {
      failuresPerAddressPerHour: dto.LOGIN_FAILURES_PER_ADDRESS_PER_HOUR,
      hashConcurrency: dto.PASSWORD_HASH_CONCURRENCY,
      hashQueue: dto.PASSWORD_HASH_QUEUE,
    },
    limits: { redisUrl: dto.REDIS_URL || null, keyPrefix: dto.LIMITS_KEY_PREFIX },
    overload: {
      maxInFlight: dto.OVERLOAD_MAX_INFLIGHT,
      maxEventLoopDelayMs: dto.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
      maxQueue: dto.OVERLOAD_MAX_QUEUE,
      retryAfterSeconds: dto.OVERLOAD_RETRY_AFTER_SECONDS,
    },
    dashboardAdmin: {
      email: dto.DASHBOARD_ADMIN_EMAIL.toLowerCase(),
      password: dto.DASHBOARD_ADMIN_PASSWORD,
    },
    usesDevelopmentSecrets: developmentSecrets.length > 0,
  };
}

// Blanks around the commas and empty entries (a trailing comma) are ignored; a secret cannot contain a comma.
function previousSecretsOf(dto: EnvDto): string[] {
  const secrets = dto.SERVER_SECRETS_PREVIOUS.split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  const problems = [
    ...secrets.flatMap((secret, i) =>
      secret.length < 32 ? [`entry ${i + 1} is shorter than 32 characters`] : [],
    ),
    ...(secrets.includes(dto.SERVER_SECRET) ? ['must not list SERVER_SECRET itself'] : []),
    ...(new Set(secrets).size < secrets.length ? ['lists the same secret twice'] : []),
  ];
  if (problems.length > 0) {
    throw new InvalidConfigError(problems.map((problem) => `SERVER_SECRETS_PREVIOUS=[redacted]: ${problem}`));
  }
  return secrets;
}
