import { GUARDS_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { loadConfig } from '@libs/config';
import { MANAGEMENT_SCOPES, type ManagementScope } from '@libs/tenants';
import { ManagementAuthGuard, REQUIRED_SCOPES } from '@libs/management';
import { MANAGEMENT, startSystem, TenantClient, type RunningSystem } from '@libs/testing';
import { ApiModule } from '../../apps/api/src/api.module';

jest.setTimeout(120_000);

interface Route {
  method: string;
  path: string;
  scopes: string[];
  guarded: boolean;
}

/**
 * Every route of the api process, read from the Nest metadata of every controller reachable from its root
 * module: the suite cannot miss a Management API endpoint added later.
 */
async function apiRoutes(): Promise<Route[]> {
  const controllers = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = async (entry: unknown): Promise<void> => {
    const resolved = entry instanceof Promise ? await entry : entry;
    if (!resolved || seen.has(resolved)) return;
    seen.add(resolved);
    const dynamic = typeof resolved === 'object' && 'module' in resolved ? (resolved as DynamicModule) : null;
    const moduleClass = (dynamic?.module ?? resolved) as Type;
    if (typeof moduleClass !== 'function') return;
    const metadata = (key: string): unknown[] => Reflect.getMetadata(key, moduleClass) ?? [];
    for (const c of [...metadata(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])]) {
      controllers.add(c as Type);
    }
    for (const imported of [...metadata(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])]) {
      const forward = imported as { forwardRef?: () => unknown };
      await visit(typeof forward.forwardRef === 'function' ? forward.forwardRef() : imported);
    }
  };
  await visit(ApiModule.register(loadConfig({})));

  const routes: Route[] = [];
  const join = (...parts: string[]) =>
    `/${parts
      .flatMap((p) => p.split('/'))
      .filter(Boolean)
      .join('/')}`;
  for (const controller of controllers) {
    const prefixes = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const scopes = (Reflect.getMetadata(REQUIRED_SCOPES, handler) ??
        Reflect.getMetadata(REQUIRED_SCOPES, controller) ??
        []) as string[];
      const guards = [
        ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? []),
        ...((Reflect.getMetadata(GUARDS_METADATA, controller) as unknown[]) ?? []),
      ];
      for (const prefix of prefixes) {
        for (const path of [paths].flat()) {
          routes.push({
            method,
            path: join(prefix, path),
            scopes,
            guarded: guards.includes(ManagementAuthGuard),
          });
        }
      }
    }
  }
  return routes;
}

/**
 * Every Management API route, the scopes it requires, and a request that reaches its handler once
 * authorized without changing anything (a 4xx from validation or a 404 is fine: only 401/403 are not).
 */
const ROUTES: Array<{
  method: string;
  path: string;
  scopes: ManagementScope[];
  request: string;
  body?: unknown;
}> = [
  { method: 'GET', path: '/api/v2/clients', scopes: ['read:clients'], request: '/api/v2/clients' },
  {
    method: 'POST',
    path: '/api/v2/clients',
    scopes: ['create:clients'],
    request: '/api/v2/clients',
    body: { name: '' },
  },
  {
    method: 'GET',
    path: '/api/v2/clients/:id',
    scopes: ['read:clients'],
    request: '/api/v2/clients/no-such-client',
  },
  {
    method: 'PATCH',
    path: '/api/v2/clients/:id',
    scopes: ['update:clients'],
    request: '/api/v2/clients/no-such-client',
    body: { name: 'x' },
  },
  {
    method: 'GET',
    path: '/api/v2/user-blocks',
    scopes: ['read:users'],
    request: '/api/v2/user-blocks?identifier=nobody%40example.com',
  },
  {
    method: 'GET',
    path: '/api/v2/user-blocks/:id',
    scopes: ['read:users'],
    request: '/api/v2/user-blocks/auth0%7Cnobody',
  },
  {
    method: 'DELETE',
    path: '/api/v2/user-blocks',
    scopes: ['update:users'],
    request: '/api/v2/user-blocks?identifier=nobody%40example.com',
  },
  {
    method: 'DELETE',
    path: '/api/v2/user-blocks/:id',
    scopes: ['update:users'],
    request: '/api/v2/user-blocks/auth0%7Cnobody',
  },
  {
    method: 'DELETE',
    path: '/api/v2/clients/:id',
    scopes: ['delete:clients'],
    request: '/api/v2/clients/no-such-client',
  },
  {
    method: 'POST',
    path: '/api/v2/clients/:id/rotate-secret',
    scopes: ['update:client_keys'],
    request: '/api/v2/clients/no-such-client/rotate-secret',
  },
  { method: 'GET', path: '/api/v2/users', scopes: ['read:users'], request: '/api/v2/users' },
  { method: 'POST', path: '/api/v2/users', scopes: ['create:users'], request: '/api/v2/users', body: {} },
  {
    method: 'GET',
    path: '/api/v2/users-by-email',
    scopes: ['read:users'],
    request: '/api/v2/users-by-email?email=nobody%40example.com',
  },
  {
    method: 'GET',
    path: '/api/v2/users/:id',
    scopes: ['read:users'],
    request: '/api/v2/users/auth0%7C000000000000000000000000',
  },
  {
    method: 'PATCH',
    path: '/api/v2/users/:id',
    scopes: ['update:users'],
    request: '/api/v2/users/auth0%7C000000000000000000000000',
    body: { blocked: true },
  },
  {
    method: 'DELETE',
    path: '/api/v2/users/:id',
    scopes: ['delete:users'],
    request: '/api/v2/users/auth0%7C000000000000000000000000',
  },
  {
    method: 'GET',
    path: '/api/v2/keys/signing',
    scopes: ['read:signing_keys'],
    request: '/api/v2/keys/signing',
  },
  {
    method: 'POST',
    path: '/api/v2/keys/signing/rotate',
    scopes: ['create:signing_keys', 'update:signing_keys'],
    request: '/api/v2/keys/signing/rotate?alg=HS256',
  },
  {
    method: 'GET',
    path: '/api/v2/device-credentials',
    scopes: ['read:device_credentials'],
    request: '/api/v2/device-credentials',
  },
  {
    method: 'DELETE',
    path: '/api/v2/device-credentials/:id',
    scopes: ['delete:device_credentials'],
    request: '/api/v2/device-credentials/dcr_doesnotexist',
  },
  {
    method: 'GET',
    path: '/api/v2/refresh-tokens',
    scopes: ['read:refresh_tokens'],
    request: '/api/v2/refresh-tokens?user_id=auth0%7C000000000000000000000000',
  },
  {
    method: 'GET',
    path: '/api/v2/refresh-tokens/:id',
    scopes: ['read:refresh_tokens'],
    request: '/api/v2/refresh-tokens/dcr_doesnotexist',
  },
  {
    method: 'DELETE',
    path: '/api/v2/refresh-tokens/:id',
    scopes: ['delete:refresh_tokens'],
    request: '/api/v2/refresh-tokens/dcr_doesnotexist',
  },
  {
    method: 'POST',
    path: '/api/v2/refresh-tokens/revoke',
    scopes: ['delete:refresh_tokens'],
    request: '/api/v2/refresh-tokens/revoke',
    body: { ids: ['dcr_doesnotexist'] },
  },
  {
    method: 'GET',
    path: '/api/v2/users/:id/refresh-tokens',
    scopes: ['read:refresh_tokens'],
    request: '/api/v2/users/auth0%7C000000000000000000000000/refresh-tokens',
  },
  {
    method: 'DELETE',
    path: '/api/v2/users/:id/refresh-tokens',
    scopes: ['delete:refresh_tokens'],
    request: '/api/v2/users/auth0%7C000000000000000000000000/refresh-tokens',
  },
];

/**
 * Security regression suite, property 5: every Management API route requires its scope. Without a token:
 * 401; with a token holding every scope but the required one(s): 403 `insufficient_scope`; with exactly
 * the required scopes: the handler runs. The route list is checked against the controllers' metadata.
 */
describe('security: the Management API enforces its scopes on every route (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  const tokens = new Map<string, string>();

  /** A Management API token of the bootstrap client narrowed to `scopes`. */
  const tokenWith = async (scopes: readonly string[]) => {
    const key = [...scopes].sort().join(' ');
    if (!tokens.has(key)) {
      const res = await tenant.form('/oauth/token', {
        grant_type: 'client_credentials',
        client_id: MANAGEMENT.clientId,
        client_secret: MANAGEMENT.clientSecret,
        audience: `${system.url}/api/v2/`,
        scope: key,
      });
      expect(res.status).toBe(200);
      expect(res.body.scope.split(' ').sort()).toEqual([...scopes].sort());
      tokens.set(key, res.body.access_token as string);
    }
    return tokens.get(key)!;
  };
  const call = (route: (typeof ROUTES)[number], token?: string) =>
    tenant.json(route.method, route.request, route.body, token ? { authorization: `Bearer ${token}` } : {});

  beforeAll(async () => {
    system = await startSystem({ projector: false });
    tenant = new TenantClient(system.url);
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('lists every /api/v2 route of the api with its scopes, each behind the Management API guard', async () => {
    const routes = (await apiRoutes()).filter((r) => r.path.startsWith('/api/v2'));
    const described = (list: Array<{ method: string; path: string; scopes: string[] }>) =>
      list.map((r) => `${r.method} ${r.path} ${[...r.scopes].sort().join(' ')}`).sort();
    expect(described(routes)).toEqual(described(ROUTES));
    expect(routes.filter((r) => !r.guarded || r.scopes.length === 0)).toEqual([]);
  });

  describe.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, route) => {
    it('answers 401 without a token', async () => {
      const res = await call(route);
      expect({ status: res.status, errorCode: res.body?.errorCode }).toEqual({
        status: 401,
        errorCode: 'missing_authentication',
      });
    });

    it.each(route.scopes)(
      'answers 403 insufficient_scope to a token with every scope but %s',
      async (scope) => {
        const res = await call(route, await tokenWith(MANAGEMENT_SCOPES.filter((s) => s !== scope)));
        expect({ status: res.status, errorCode: res.body?.errorCode }).toEqual({
          status: 403,
          errorCode: 'insufficient_scope',
        });
      },
    );

    it(`lets a token with just ${route.scopes.join(' + ')} reach the handler`, async () => {
      const res = await call(route, await tokenWith(route.scopes));
      expect([401, 403]).not.toContain(res.status);
    });
  });

  describe('granting scopes to a new application', () => {
    const m2m = (scopes: string[]) => ({
      name: 'Escalation attempt',
      app_type: 'non_interactive',
      grant_types: ['client_credentials'],
      management_api_scopes: scopes,
    });

    it('refuses a token to grant scopes it does not hold (no escalation from create:clients)', async () => {
      const res = await tenant.json('POST', '/api/v2/clients', m2m(['read:users', 'delete:users']), {
        authorization: `Bearer ${await tokenWith(['create:clients', 'read:users'])}`,
      });
      expect({ status: res.status, errorCode: res.body?.errorCode }).toEqual({
        status: 403,
        errorCode: 'insufficient_scope',
      });
      expect(res.body.message).toMatch(/delete:users/);
    });

    it('lets a token grant the scopes it holds', async () => {
      const res = await tenant.json('POST', '/api/v2/clients', m2m(['read:users']), {
        authorization: `Bearer ${await tokenWith(['create:clients', 'read:users'])}`,
      });
      expect(res.status).toBe(201);
    });
  });
});
