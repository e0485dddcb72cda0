import { DataSource } from 'typeorm';
import type { RunningSystem } from './system';
import { TenantClient } from './system';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PASSWORD = 'a long enough password';

export interface RevokeUnderLoadOptions {
  tokens?: number;
  revocations?: number;
  clients?: number;
  durationMs?: number;
}

export interface RevokeUnderLoadResult {
  requests: number;
  succeeded: number;
  refused: number;
  /** Delegations shed under overload: 503 with `Retry-After` (admission control; nothing written). */
  shed: number;
  /** Responses that were neither 200, 403 nor a shed 503 (a 5xx, a 429…), by status. */
  unexpected: Record<number, number>;
  revocations: number;
  /** Delegations that started after their token's revoke had returned, and still got an id_token. */
  acceptedAfterRevoke: number;
  /** Revocation latency (request → success), ms. */
  revokeLatencies: number[];
}

/**
 * The revocation guarantee under load: `clients` loops delegate continuously with `tokens` refresh
 * tokens while `revocations` of them are revoked at random moments (half through the Management API,
 * half through /oauth/revoke). Counts delegations that succeeded although they began after their
 * token's revocation had returned — the guarantee says 0.
 */
export async function revokeUnderLoad(
  system: RunningSystem,
  options: RevokeUnderLoadOptions = {},
): Promise<RevokeUnderLoadResult> {
  const { tokens: tokenCount = 200, revocations = 100, clients = 50, durationMs = 8_000 } = options;
  const tenant = new TenantClient(system.url);
  const app = await tenant.createClient({
    name: 'Load app',
    app_type: 'native',
    callbacks: ['com.example.load://cb'],
    grant_types: ['refresh_token', JWT_BEARER, 'password'],
  });
  const users = await Promise.all(
    Array.from({ length: 10 }, (_, i) => tenant.createUser(`load-${i}-${Date.now()}@example.com`, PASSWORD)),
  );

  // Issue the tokens, a few at a time (each login costs a scrypt verification).
  const tokens: { token: string; device: string; credentialId?: string }[] = [];
  for (let i = 0; i < tokenCount; i += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, tokenCount - i) }, async (_, j) => {
        const device = `load-device-${i + j}`;
        const res = await tenant.form('/oauth/token', {
          grant_type: 'password',
          client_id: app.client_id,
          username: users[(i + j) % users.length].email,
          password: PASSWORD,
          scope: 'openid offline_access',
          device,
        });
        if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
        return { token: res.body.refresh_token as string, device };
      }),
    );
    tokens.push(...batch);
  }
  const db = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
  const ids: { stream_id: string; device: string }[] = await db.query(
    `SELECT stream_id, data->>'device_name' AS device FROM events WHERE type = 'TokenIssued' AND data->>'client_id' = $1`,
    [app.client_id],
  );
  await db.destroy();
  const byDevice = new Map(ids.map((r) => [r.device, r.stream_id]));
  for (const t of tokens) t.credentialId = byDevice.get(t.device);

  const revokedAt = new Map<number, bigint>();
  const result: RevokeUnderLoadResult = {
    requests: 0,
    succeeded: 0,
    refused: 0,
    shed: 0,
    unexpected: {},
    revocations: 0,
    acceptedAfterRevoke: 0,
    revokeLatencies: [],
  };
  const deadline = Date.now() + durationMs;

  const worker = async () => {
    while (Date.now() < deadline) {
      const index = Math.floor(Math.random() * tokens.length);
      const started = process.hrtime.bigint();
      const res = await fetch(`${system.url}/delegation`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: app.client_id,
          grant_type: JWT_BEARER,
          refresh_token: tokens[index].token,
        }),
      });
      await res.arrayBuffer();
      result.requests++;
      if (res.status === 200) {
        result.succeeded++;
        const revoked = revokedAt.get(index);
        if (revoked !== undefined && started > revoked) result.acceptedAfterRevoke++;
      } else if (res.status === 403) {
        result.refused++;
      } else if (res.status === 503 && res.headers.has('retry-after')) {
        result.shed++;
      } else {
        result.unexpected[res.status] = (result.unexpected[res.status] ?? 0) + 1;
      }
    }
  };

  const revoker = async () => {
    const chosen = [...tokens.keys()].sort(() => Math.random() - 0.5).slice(0, revocations);
    const moments = chosen.map(() => Math.random() * durationMs * 0.8).sort((a, b) => a - b);
    const start = Date.now();
    await Promise.all(
      chosen.map(async (index, i) => {
        await new Promise((r) => setTimeout(r, Math.max(0, start + moments[i] - Date.now())));
        const began = Date.now();
        const res =
          i % 2 === 0
            ? await tenant.management('DELETE', `/device-credentials/${tokens[index].credentialId}`)
            : await tenant.form('/oauth/revoke', { client_id: app.client_id, token: tokens[index].token });
        if (res.status !== 204 && res.status !== 200) throw new Error(`revocation failed: ${res.status}`);
        revokedAt.set(index, process.hrtime.bigint());
        result.revokeLatencies.push(Date.now() - began);
        result.revocations++;
      }),
    );
  };

  await Promise.all([revoker(), ...Array.from({ length: clients }, worker)]);
  return result;
}
