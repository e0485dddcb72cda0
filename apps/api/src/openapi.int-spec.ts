import { METHODS } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { loadConfig, type AppConfig } from '@libs/config';
import { MANAGEMENT_SCOPES } from '@libs/tenants';
import { OPENAPI_JSON_PATH, OPENAPI_UI_PATH } from '@libs/platform';
import { createTestDatabase, SILENT, testBrokers, uniqueName, type TestDatabase } from '@libs/testing';
import { ApiModule } from './api.module';
import { configureOpenApi } from './api.openapi';

type Operation = {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

interface ExpressLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

// Express route syntax (`/users/:id`) to OpenAPI's (`/users/{id}`).
const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The (method, path) pairs the running application really routes, the document's own routes aside.
 * Nest mounts middleware as routes too: `forRoutes(SomeController)` repeats the controller's routes (with
 * a trailing slash), `forRoutes('*')` adds one route for every HTTP method; duplicates and those go.
 */
function registeredRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } };
  const routes = express.router.stack.flatMap(({ route }) => {
    if (!route) return [];
    const methods = Object.keys(route.methods).filter((method) => route.methods[method]);
    if (methods.length >= METHODS.length) return [];
    const paths = Array.isArray(route.path) ? route.path : [route.path];
    return paths
      .map((path) => (path.length > 1 ? path.replace(/\/+$/, '') : path))
      .filter((path) => path !== OPENAPI_JSON_PATH && !path.startsWith(OPENAPI_UI_PATH))
      .flatMap((path) => methods.map((method) => `${method.toUpperCase()} ${toOpenApiPath(path)}`));
  });
  return [...new Set(routes)];
}

function documentedOperations(document: Document): Array<[string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
}

/**
 * The OpenAPI document the api serves, against the routes the api really registers (the whole ApiModule
 * on real PostgreSQL and Kafka): no route undocumented, no documented route missing, every schema usable.
 */
describe('OpenAPI document of the api (integration)', () => {
  let db: TestDatabase;
  let config: AppConfig;
  let app: INestApplication;
  let document: Document;

  beforeAll(async () => {
    db = await createTestDatabase();
    config = loadConfig({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: `${uniqueName('it')}.`,
      LOG_LEVEL: 'silent',
    });
    const moduleRef = await Test.createTestingModule({ imports: [ApiModule.register(config)] })
      .setLogger(SILENT)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    configureOpenApi(app, config);
    await app.init();
    const res = await request(app.getHttpServer()).get(OPENAPI_JSON_PATH).expect(200);
    document = res.body as Document;
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('documents exactly the routes the application registers', () => {
    const routes = registeredRoutes(app).sort();
    const documented = documentedOperations(document)
      .map(([key]) => key)
      .sort();
    expect(routes.length).toBeGreaterThan(25);
    expect(documented).toEqual(routes);
  });

  // Nest's scanner lists every controller route, decorated or not: what marks an operation as documented is
  // what only decorators give it, a summary and a description for each answer.
  it('describes every operation: a summary, and a description for each of its responses', () => {
    for (const [key, operation] of documentedOperations(document)) {
      const undescribed = Object.entries(operation.responses)
        .filter(([, response]) => !response.description)
        .map(([status]) => status);
      expect({ key, summary: Boolean(operation.summary), undescribed }).toEqual({
        key,
        summary: true,
        undescribed: [],
      });
    }
  });

  it('is OpenAPI 3 with a unique operationId, a tag and a success response on every operation', () => {
    expect(document.openapi).toMatch(/^3\.0\.\d$/);
    const operations = documentedOperations(document);
    const ids = operations.map(([, operation]) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [key, operation] of operations) {
      expect({ key, tags: operation.tags?.length }).toEqual({ key, tags: 1 });
      const statuses = Object.keys(operation.responses);
      expect({ key, success: statuses.some((s) => /^[23]\d\d$/.test(s)) }).toEqual({ key, success: true });
    }
  });

  it('names the scopes of every Management API operation in its security requirement', () => {
    const management = documentedOperations(document).filter(([key]) => key.includes(' /api/v2/'));
    expect(management.length).toBeGreaterThanOrEqual(13);
    for (const [key, operation] of management) {
      const scopes = operation.security?.flatMap((requirement) => requirement.management ?? []) ?? [];
      expect({ key, scoped: scopes.length > 0 }).toEqual({ key, scoped: true });
      for (const scope of scopes) expect(MANAGEMENT_SCOPES).toContain(scope);
    }
    expect(document.paths['/api/v2/device-credentials'].get.security).toEqual([
      { management: ['read:device_credentials'] },
    ]);
    expect(document.paths['/api/v2/device-credentials/{id}'].delete.security).toEqual([
      { management: ['delete:device_credentials'] },
    ]);
  });

  it('documents every 4xx as {error, error_description} (JSON) or an HTML page', () => {
    type SchemaRef = { $ref?: string; anyOf?: SchemaRef[]; oneOf?: SchemaRef[]; required?: string[] };
    const carriesOAuthError = (schema: SchemaRef): boolean => {
      if (schema.$ref)
        return carriesOAuthError(document.components.schemas[schema.$ref.split('/').pop()!] as SchemaRef);
      const alternatives = schema.anyOf ?? schema.oneOf;
      if (alternatives) return alternatives.every(carriesOAuthError);
      return ['error', 'error_description'].every((field) => schema.required?.includes(field));
    };
    for (const [key, operation] of documentedOperations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^4\d\d$/.test(status)) continue;
        const json = response.content?.['application/json']?.schema as SchemaRef | undefined;
        const html = response.content?.['text/html'];
        expect({ key, status, json: json ? carriesOAuthError(json) : Boolean(html) }).toEqual({
          key,
          status,
          json: true,
        });
      }
    }
  });

  it('has schemas that compile and references that resolve', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: document.components }, 'openapi');
    const text = JSON.stringify(document);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      expect(Object.keys(document.components.schemas)).toContain(name);
    }
    for (const name of Object.keys(document.components.schemas)) {
      expect(() => ajv.getSchema(`openapi#/components/schemas/${name}`)).not.toThrow();
    }
  });

  it('serves Swagger UI from the bundled assets (no network needed)', async () => {
    const http = request(app.getHttpServer());
    const page = await http.get(OPENAPI_UI_PATH).expect(200);
    expect(page.text).toContain('swagger-ui-bundle.js');
    await http.get(`${OPENAPI_UI_PATH}/swagger-ui-bundle.js`).expect(200);
    const init = await http.get(`${OPENAPI_UI_PATH}/swagger-ui-init.js`).expect(200);
    expect(init.text).toContain('"/oauth/token"');
  });
});
