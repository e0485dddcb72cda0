import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ManagementTokenIssuer } from '@libs/authentication';
import { ConfigModule, loadConfig, type AppConfig } from '@libs/config';
import { CredentialsModule } from '@libs/credentials';
import { DatabaseModule } from '@libs/database';
import { EventStoreModule } from '@libs/event-store';
import { JwtModule, TokenSigner } from '@libs/jwt';
import { ManagementModule } from '@libs/management';
import { OAuthExceptionFilter } from '@libs/platform';
import { SecurityModule } from '@libs/security';
import { ClientRepository, type Client, type ManagementScope } from '@libs/tenants';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The tenant and bootstrap client the in-process Management API runs with. */
export const MANAGEMENT_API = {
  publicUrl: 'https://tenant.example.com',
  audience: 'https://tenant.example.com/api/v2/',
  clientId: 'mgmt-test-client',
  clientSecret: 'management-test-secret-0123456789',
} as const;

/** The in-process Management API of a spec; its fields are set once the spec's `beforeAll` ran. */
export interface ManagementApi {
  db: TestDatabase;
  app: INestApplication;
  http: ReturnType<typeof request>;
  config: AppConfig;
  issuer: ManagementTokenIssuer;
  clients: ClientRepository;
  managementClient: Client;
  /** A Management API token of the bootstrap client with these scopes (all of them by default). */
  token(...scopes: ManagementScope[]): Promise<string>;
  /** `Bearer <token>` for the Authorization header. */
  bearer(...scopes: ManagementScope[]): Promise<string>;
}

/**
 * Boots the Management API over HTTP, in process, for the enclosing `describe` (its own database, real
 * keys, signer and verifier; closed after it).
 */
export function useManagementApi(): ManagementApi {
  const api = {
    async token(...scopes: ManagementScope[]) {
      return (await api.issuer.issue(api.managementClient, scopes.join(' ') || undefined)).access_token;
    },
    async bearer(...scopes: ManagementScope[]) {
      return `Bearer ${await api.token(...scopes)}`;
    },
  } as ManagementApi;

  beforeAll(async () => {
    api.db = await createTestDatabase();
    api.config = loadConfig({
      DATABASE_URL: api.db.url,
      PUBLIC_URL: MANAGEMENT_API.publicUrl,
      MANAGEMENT_CLIENT_ID: MANAGEMENT_API.clientId,
      MANAGEMENT_CLIENT_SECRET: MANAGEMENT_API.clientSecret,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(api.config),
        DatabaseModule,
        SecurityModule,
        EventStoreModule.forRoot({ relay: false }),
        CredentialsModule,
        JwtModule,
        ManagementModule,
      ],
    }).compile();
    api.app = moduleRef.createNestApplication({ logger: false });
    api.app.useGlobalFilters(new OAuthExceptionFilter());
    await api.app.init();
    api.http = request(api.app.getHttpServer());
    api.issuer = new ManagementTokenIssuer(api.app.get(TokenSigner), api.config);
    api.clients = api.app.get(ClientRepository);
    api.managementClient = (await api.clients.findById(MANAGEMENT_API.clientId))!;
  });
  afterAll(async () => {
    await api.app?.close();
    await api.db?.drop();
  });
  return api;
}

/** Auth0's Management API error body, as the exception filter writes it. */
export function managementErrorBody(
  statusCode: number,
  error: string,
  errorCode: string,
  message: string | RegExp,
) {
  return {
    statusCode,
    error,
    errorCode,
    message: typeof message === 'string' ? message : expect.stringMatching(message),
    error_description: typeof message === 'string' ? message : expect.stringMatching(message),
  };
}
