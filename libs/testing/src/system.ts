import { freePort, spawnApp, waitForHealth, type AppProcess } from './app-process';
import { appRoleUrls, createTestDatabase, type TestDatabase } from './test-database';
import { testBrokers, uniqueName } from './test-kafka';

export const MANAGEMENT = { clientId: 'e2e-management', clientSecret: 'e2e-management-secret-0123456789' };

/** The whole system as `npm start` runs it (api + projector processes) on a database and topic of its own. */
export interface RunningSystem {
  url: string;
  db: TestDatabase;
  env: Record<string, string>;
  topicPrefix: string;
  api: AppProcess;
  projector?: AppProcess;
  /** Starts (or restarts) the projector process. */
  startProjector(): Promise<AppProcess>;
  stop(): Promise<void>;
}

export async function startSystem(
  options: { env?: Record<string, string>; projector?: boolean } = {},
): Promise<RunningSystem> {
  const db = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const topicPrefix = `${uniqueName('e2e')}.`;
  const env: Record<string, string> = {
    ...systemEnv(db, url, topicPrefix),
    PORT: String(port),
    PROJECTOR_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    PROJECTOR_METRICS_PORT: String(await freePort()),
    DELEGATION_RATE_LIMIT_PER_MINUTE: '1000',
    ...options.env,
  };
  const api = spawnApp('api', env);
  await waitForHealth(url, api);
  const system: RunningSystem = {
    url,
    db,
    env,
    topicPrefix,
    api,
    async startProjector() {
      const projector = spawnApp('projector', env);
      await waitForHealth(`http://127.0.0.1:${env.PROJECTOR_PORT}`, projector);
      system.projector = projector;
      return projector;
    },
    async stop() {
      await Promise.all([api.stop(), system.projector?.stop()]);
      await db.drop();
    },
  };
  if (options.projector ?? true) await system.startProjector();
  return system;
}

/** What every process of a system in a test runs with: its database (each role's own), topics and origin. */
export function systemEnv(db: TestDatabase, url: string, topicPrefix: string): Record<string, string> {
  return {
    PUBLIC_URL: url,
    DATABASE_URL: db.url,
    DATABASE_API_URL: appRoleUrls(db.url).api,
    DATABASE_PROJECTOR_URL: appRoleUrls(db.url).projector,
    KAFKA_BROKERS: testBrokers().join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    MANAGEMENT_CLIENT_ID: MANAGEMENT.clientId,
    MANAGEMENT_CLIENT_SECRET: MANAGEMENT.clientSecret,
  };
}

/** A small HTTP client for the tenant's public origin. */
export class TenantClient {
  private managementToken?: string;

  constructor(readonly url: string) {}

  async json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed as Record<string, unknown> & any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  async form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed as Record<string, unknown> & any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  /** Calls the Management API with the bootstrap client's token. */
  async management(method: string, path: string, body?: unknown) {
    this.managementToken ??= (
      await this.form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: MANAGEMENT.clientId,
        client_secret: MANAGEMENT.clientSecret,
        audience: `${this.url}/api/v2/`,
      })
    ).body.access_token as string;
    return this.json(method, `/api/v2${path}`, body, { authorization: `Bearer ${this.managementToken}` });
  }

  async createClient(body: Record<string, unknown>): Promise<{ client_id: string; client_secret?: string }> {
    const res = await this.management('POST', '/clients', body);
    if (res.status !== 201)
      throw new Error(`client creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { client_id: string; client_secret?: string };
  }

  async createUser(
    email: string,
    password = 'correct horse battery staple',
  ): Promise<{ user_id: string; email: string }> {
    const res = await this.management('POST', '/users', {
      connection: 'Username-Password-Authentication',
      email,
      password,
      name: email.split('@')[0],
    });
    if (res.status !== 201)
      throw new Error(`user creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { user_id: string; email: string };
  }
}
