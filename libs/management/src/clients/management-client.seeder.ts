import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { LEGACY_REFRESH_TOKEN_POLICY } from '@libs/domain';
import { ClientRepository, ClientSecrets, MANAGEMENT_SCOPES, type NewClient } from '@libs/tenants';

/** The name the bootstrap machine-to-machine application is shown under. */
export const MANAGEMENT_CLIENT_NAME = 'Management API (bootstrap)';

/**
 * At boot, makes the configured machine-to-machine application (`MANAGEMENT_CLIENT_ID` /
 * `MANAGEMENT_CLIENT_SECRET`) exist with every Management API scope, so a fresh tenant can be administered.
 */
@Injectable()
export class ManagementClientSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(ManagementClientSeeder.name);

  constructor(
    private readonly clients: ClientRepository,
    private readonly config: AppConfig,
    private readonly secrets: ClientSecrets,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.seed();
  }

  /** Inserts or updates the bootstrap client, its secret hashed under the current server secret. */
  async seed(): Promise<void> {
    const { clientId, clientSecret } = this.config.managementClient;
    const existing = await this.clients.findById(clientId);
    // The keyed hash is deterministic: an unchanged secret under an unchanged server secret keeps its hash.
    const keep = this.secrets.isCurrent(clientId, clientSecret, existing?.clientSecretHash ?? null);
    const client: NewClient = {
      clientId,
      name: MANAGEMENT_CLIENT_NAME,
      description:
        'Machine-to-machine application configured by MANAGEMENT_CLIENT_ID and MANAGEMENT_CLIENT_SECRET.',
      appType: 'non_interactive',
      callbacks: [],
      webOrigins: [],
      allowedOrigins: [],
      grantTypes: ['client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_post',
      clientSecretHash: this.secrets.hash(clientId, clientSecret),
      idTokenLifetimeSeconds: 36_000,
      idTokenAlg: 'RS256',
      managementScopes: [...MANAGEMENT_SCOPES],
      refreshToken: { ...LEGACY_REFRESH_TOKEN_POLICY },
    };
    await this.clients.upsert(client);
    this.logger.log({ msg: 'management client ready', clientId, secretRehashed: !keep });
  }
}
