import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value;

/** Development-only defaults; `loadConfig` refuses them when NODE_ENV=production. */
export const DEVELOPMENT_SECRETS = {
  SERVER_SECRET: 'development-only-server-secret-change-me-0123456789',
  MANAGEMENT_CLIENT_SECRET: 'development-only-management-secret',
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

  /** PostgreSQL connection string. */
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// connection URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/refresh_tokens';

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

  /** The bootstrap machine-to-machine application that may call the Management API. */
  @Matches(/^[A-Za-z0-9_-]{8,64}$/, { message: 'must be 8 to 64 letters, digits, "_" or "-"' })
  MANAGEMENT_CLIENT_ID = 'management-bootstrap';

  /** Its client secret (≥ 16 characters); stored only as a hash. */
  @IsString()
  @MinLength(16)
  MANAGEMENT_CLIENT_SECRET: string = DEVELOPMENT_SECRETS.MANAGEMENT_CLIENT_SECRET;

  /** Requests per minute per IP and user on /delegation and the refresh-token grant (Auth0: 10). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  DELEGATION_RATE_LIMIT_PER_MINUTE = 10;

  /** Minimum pino level written to stdout. */
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';
}
