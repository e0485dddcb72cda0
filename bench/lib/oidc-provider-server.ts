/**
 * The peer: node-oidc-provider 9 (a devDependency used only by this bench) serving its `refresh_token`
 * grant at POST /token — rotation off (`rotateRefreshToken: false`, like the service's default), an
 * in-memory adapter, a public client per algorithm whose id_tokens it signs with RS256 or ES256. Its
 * refresh tokens are minted at setup through its own models (a Grant with `openid offline_access`, then
 * a RefreshToken on it), as many as the service was given, and sent back to the bench.
 *
 * The adapter is a plain Map per model: the library's bundled memory adapter is an LRU of 1,000
 * entries, which the access token saved by every exchange would soon evict the refresh tokens from.
 * Expiry is honoured on read; nothing is written to disk — the peer is not durable.
 */
import http from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import type { Alg } from './baseline-server';

export interface PeerInit {
  issuer: string;
  clients: { clientId: string; alg: Alg; lifetimeSeconds: number }[];
  /** Refresh tokens to mint per client, each for its own account (user ids taken round-robin). */
  tokensPerClient: number;
  userIds: string[];
}

export interface PeerReady {
  port: number;
  tokens: { clientId: string; refreshToken: string; userId: string }[];
}

type Payload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string };

/** The few parts of node-oidc-provider's API this file uses (the package ships no type declarations). */
interface OidcProvider {
  Grant: new (init: { accountId: string; clientId: string }) => {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  };
  Client: { find(id: string): Promise<unknown> };
  RefreshToken: new (init: Record<string, unknown>) => { save(): Promise<string> };
  callback(): http.RequestListener;
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

/** A Map-backed adapter (the interface node-oidc-provider calls for every model). */
class MapAdapter {
  private static readonly stores = new Map<string, Map<string, { payload: Payload; expiresAt?: number }>>();
  private readonly store: Map<string, { payload: Payload; expiresAt?: number }>;

  constructor(name: string) {
    if (!MapAdapter.stores.has(name)) MapAdapter.stores.set(name, new Map());
    this.store = MapAdapter.stores.get(name)!;
  }

  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    this.store.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    return Promise.resolve();
  }

  find(id: string): Promise<Payload | undefined> {
    const entry = this.store.get(id);
    if (!entry) return Promise.resolve(undefined);
    if (entry.expiresAt !== undefined && entry.expiresAt < Date.now()) {
      this.store.delete(id);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(entry.payload);
  }

  findByUid(uid: string): Promise<Payload | undefined> {
    for (const { payload } of this.store.values()) if (payload.uid === uid) return Promise.resolve(payload);
    return Promise.resolve(undefined);
  }

  findByUserCode(userCode: string): Promise<Payload | undefined> {
    for (const { payload } of this.store.values())
      if (payload.userCode === userCode) return Promise.resolve(payload);
    return Promise.resolve(undefined);
  }

  consume(id: string): Promise<void> {
    const entry = this.store.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    this.store.delete(id);
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    for (const [id, { payload }] of this.store) if (payload.grantId === grantId) this.store.delete(id);
    return Promise.resolve();
  }
}

async function privateJwk(alg: Alg) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `bench-${alg.toLowerCase()}` };
}

export async function createPeerServer(
  init: PeerInit,
): Promise<{ server: http.Server; tokens: PeerReady['tokens'] }> {
  // ESM-only package: loaded with require(esm) (Node ≥ 20.19), from the bench only.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Provider } = require('oidc-provider') as { default: ProviderConstructor };
  const lifetime = Math.min(...init.clients.map((c) => c.lifetimeSeconds));
  const provider = new Provider(init.issuer, {
    adapter: MapAdapter,
    clients: init.clients.map((c) => ({
      client_id: c.clientId,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['https://bench.example.com/callback'],
      id_token_signed_response_alg: c.alg,
    })),
    jwks: { keys: [await privateJwk('RS256'), await privateJwk('ES256')] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    rotateRefreshToken: false,
    scopes: ['openid', 'offline_access'],
    ttl: { AccessToken: 3600, IdToken: lifetime, RefreshToken: 30 * 86_400, Grant: 30 * 86_400 },
    features: { devInteractions: { enabled: false } },
  });

  const tokens: PeerReady['tokens'] = [];
  for (const client of init.clients) {
    for (let i = 0; i < init.tokensPerClient; i++) {
      const accountId = init.userIds[i % init.userIds.length];
      const grant = new provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope('openid offline_access');
      const grantId = await grant.save();
      const oidcClient = await provider.Client.find(client.clientId);
      const refreshToken = await new provider.RefreshToken({
        accountId,
        client: oidcClient,
        grantId,
        scope: 'openid offline_access',
        gty: 'authorization_code',
        authTime: Math.floor(Date.now() / 1000),
      }).save();
      tokens.push({ clientId: client.clientId, refreshToken, userId: accountId });
    }
  }
  return { server: http.createServer(provider.callback()), tokens };
}

// As a forked child: wait for the init message, mint the tokens, listen on a free port, report both.
if (require.main === module && process.send) {
  process.once('message', (init: PeerInit) => {
    void createPeerServer(init).then(({ server, tokens }) => {
      server.keepAliveTimeout = 60_000;
      server.listen(0, '127.0.0.1', () => {
        const ready: PeerReady = { port: (server.address() as { port: number }).port, tokens };
        process.send!(ready);
      });
      process.once('SIGTERM', () => server.close(() => process.exit(0)));
    });
  });
}
