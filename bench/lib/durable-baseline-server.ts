/**
 * The durable baseline /delegation: the least a durable exchange costs. A bare `node:http` server on
 * the service's own `pg` driver and PostgreSQL server (same durability settings: the server's defaults,
 * `synchronous_commit` on): it looks the token's HMAC-SHA-256 hash up in a table, appends one event row
 * per exchange, and answers only after that row committed — with the service's group commit and group
 * look-up (`StatementBatcher`, the same class) — then signs the same claims with jose (keys imported
 * once, as the service does). No framework, no view/tail double check, no Kafka, no projection.
 *
 * Runs as a child process (forked by `startChild` in ./baseline) on tables of its own in the bench
 * database, so it shares the server, the WAL and the cores with the service exactly.
 */
import { createHmac, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { SignJWT } from 'jose';
import { Pool } from 'pg';
import { StatementBatcher } from '../../libs/database/src/statement-batcher';
import { answer, delegationServer, type Alg, type BaselineInit } from './baseline-server';

export interface DurableBaselineInit extends BaselineInit {
  databaseUrl: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

interface Credential {
  credential_id: string;
  user_id: string;
  client_id: string;
}

interface DelegatedEvent {
  credentialId: string;
  clientId: string;
  jti: string;
  exp: number;
}

async function prepare(pool: Pool, hash: (token: string) => string, init: BaselineInit): Promise<void> {
  await pool.query(`
    DROP TABLE IF EXISTS bench_durable_events, bench_durable_credentials;
    CREATE TABLE bench_durable_credentials (
      token_hash text PRIMARY KEY, credential_id text NOT NULL, user_id text NOT NULL, client_id text NOT NULL);
    CREATE TABLE bench_durable_events (
      position bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL,
      type text NOT NULL, occurred_at timestamptz NOT NULL DEFAULT now(), data jsonb NOT NULL)`);
  await pool.query(
    `INSERT INTO bench_durable_credentials
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
    [
      init.tokens.map((t) => hash(t.refreshToken)),
      init.tokens.map(() => `dcr_${randomBytes(12).toString('base64url')}`),
      init.tokens.map((t) => t.userId),
      init.tokens.map((t) => t.clientId),
    ],
  );
}

export async function createDurableBaselineServer(init: DurableBaselineInit): Promise<http.Server> {
  const hmacKey = randomBytes(32);
  const hash = (token: string) => createHmac('sha256', hmacKey).update(token, 'utf8').digest('base64url');
  const pool = new Pool({ connectionString: init.databaseUrl, max: 20 });
  await prepare(pool, hash, init);
  const clients = new Map(init.clients.map((c) => [c.clientId, c]));
  const keys: Record<Alg, { kid: string; privateKey: KeyObject }> = {
    RS256: {
      kid: randomBytes(16).toString('base64url'),
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    },
    ES256: {
      kid: randomBytes(16).toString('base64url'),
      privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    },
  };

  // Group look-up: every hash waiting while a statement is in flight goes in the next one.
  const lookups = new StatementBatcher<string, Credential>(async (hashes) => {
    const { rows } = await pool.query<Credential & { token_hash: string }>(
      `SELECT token_hash, credential_id, user_id, client_id FROM bench_durable_credentials
       WHERE token_hash = ANY($1::text[])`,
      [hashes],
    );
    return new Map(rows.map((r) => [r.token_hash, r]));
  });
  // Group commit: one INSERT (one transaction, one WAL flush) for every event waiting.
  const appends = new StatementBatcher<DelegatedEvent, true>(async (events) => {
    await pool.query(
      `INSERT INTO bench_durable_events (event_id, stream_id, type, data)
       SELECT unnest($1::uuid[]), unnest($2::text[]), 'IdTokenDelegated', unnest($3::jsonb[])`,
      [
        events.map(() => randomUUID()),
        events.map((e) => e.credentialId),
        events.map((e) => JSON.stringify({ client_id: e.clientId, jti: e.jti, expires_at: e.exp })),
      ],
    );
    return new Map(events.map((e) => [e, true as const]));
  });

  const exchange = async (params: Record<string, unknown>, res: http.ServerResponse) => {
    const client = clients.get(String(params.client_id));
    if (!client) return answer(res, 401, { error: 'invalid_client' });
    if (params.grant_type !== JWT_BEARER) return answer(res, 400, { error: 'unsupported_grant_type' });
    const credential = await lookups.submit(hash(String(params.refresh_token)));
    if (!credential || credential.client_id !== client.clientId) {
      return answer(res, 403, { error: 'invalid_grant' });
    }
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + client.lifetimeSeconds;
    const jti = randomBytes(16).toString('base64url');
    const key = keys[client.alg];
    const idToken = await new SignJWT({ sub: credential.user_id, aud: client.clientId, azp: client.clientId })
      .setProtectedHeader({ alg: client.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(init.issuer)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.privateKey);
    await appends.submit({ credentialId: credential.credential_id, clientId: client.clientId, jti, exp });
    answer(res, 200, { token_type: 'Bearer', expires_in: exp - iat, id_token: idToken });
  };

  const server = delegationServer((params, res) => {
    exchange(params, res).catch((error: unknown) =>
      answer(res, 500, { error: 'server_error', error_description: String(error) }),
    );
  });
  server.on('close', () => void pool.end());
  return server;
}

// As a forked child: wait for the init message, prepare the tables, listen on a free port, report it.
if (require.main === module && process.send) {
  process.once('message', (init: DurableBaselineInit) => {
    void createDurableBaselineServer(init).then((server) => {
      server.keepAliveTimeout = 60_000;
      server.listen(0, '127.0.0.1', () => {
        process.send!({ port: (server.address() as { port: number }).port });
      });
      process.once('SIGTERM', () => server.close(() => process.exit(0)));
    });
  });
}
