/**
 * The baseline /delegation: what the endpoint costs with no framework, no database and no event
 * recording — a bare `node:http` server that parses the same JSON body, finds the token's
 * HMAC-SHA-256 hash in a Map and signs the same id_token with `node:crypto`. The service's
 * throughput divided by this one's says how much of the machine the service's own machinery uses.
 *
 * Runs as a child process (forked by `startBaseline` in ./baseline), so it has an event loop of its
 * own like the api, and the load generator does not share a thread with it.
 */
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { JWT_BEARER } from '../../test/fixtures/oauth';

export type Alg = 'RS256' | 'ES256';

/** What the parent sends once: the same clients and tokens the service was given. */
export interface BaselineInit {
  issuer: string;
  clients: { clientId: string; alg: Alg; lifetimeSeconds: number }[];
  tokens: { refreshToken: string; userId: string; clientId: string }[];
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

function signingKeys(): Record<Alg, SigningKey> {
  // The service's key sizes: RSA-2048 for RS256, P-256 for ES256.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    RS256: { kid: randomBytes(16).toString('base64url'), privateKey: rsa.privateKey },
    ES256: { kid: randomBytes(16).toString('base64url'), privateKey: ec.privateKey },
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS with jose's header and claim order, signed like jose does it (node:crypto). */
function signJwt(alg: Alg, key: SigningKey, claims: Record<string, unknown>): string {
  const input = `${b64({ alg, kid: key.kid, typ: 'JWT' })}.${b64(claims)}`;
  const signature =
    alg === 'RS256'
      ? sign('sha256', Buffer.from(input), key.privateKey)
      : sign('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

export function createBaselineServer(init: BaselineInit): http.Server {
  const hmacKey = randomBytes(32);
  const hash = (token: string) => createHmac('sha256', hmacKey).update(token, 'utf8').digest('base64url');
  const credentials = new Map(init.tokens.map((t) => [hash(t.refreshToken), t]));
  const clients = new Map(init.clients.map((c) => [c.clientId, c]));
  const keys = signingKeys();

  return delegationServer((params, res) => {
    const client = clients.get(String(params.client_id));
    if (!client) return answer(res, 401, { error: 'invalid_client' });
    if (params.grant_type !== JWT_BEARER) return answer(res, 400, { error: 'unsupported_grant_type' });
    const credential = credentials.get(hash(String(params.refresh_token)));
    if (!credential || credential.clientId !== client.clientId) {
      return answer(res, 403, { error: 'invalid_grant' });
    }
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + client.lifetimeSeconds;
    const idToken = signJwt(client.alg, keys[client.alg], {
      sub: credential.userId,
      aud: client.clientId,
      azp: client.clientId,
      iss: init.issuer,
      iat,
      exp,
      jti: randomBytes(16).toString('base64url'),
    });
    answer(res, 200, { token_type: 'Bearer', expires_in: exp - iat, id_token: idToken });
  });
}

/** Answers JSON, as the service does. */
export function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
  });
  res.end(json);
}

/** A server of POST /delegation only: reads and parses the JSON body, hands it to `exchange`. */
export function delegationServer(
  exchange: (params: Record<string, unknown>, res: http.ServerResponse) => void,
): http.Server {
  return http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/delegation') return answer(res, 404, { error: 'not_found' });
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let params: Record<string, unknown>;
      try {
        params = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return answer(res, 400, { error: 'invalid_request' });
      }
      exchange(params, res);
    });
  });
}

// As a forked child: wait for the init message, listen on a free port, report it.
if (require.main === module && process.send) {
  process.once('message', (init: BaselineInit) => {
    const server = createBaselineServer(init);
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1', () => {
      process.send!({ port: (server.address() as { port: number }).port });
    });
    process.once('SIGTERM', () => server.close(() => process.exit(0)));
  });
}
