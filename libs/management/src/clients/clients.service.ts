import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AppConfig } from '@libs/config';
import { RevokeCredentials } from '@libs/credentials';
import { SealedSecretError, SecretKeys } from '@libs/security';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import {
  type Client,
  ClientCache,
  type ClientListQuery,
  ClientRepository,
  ClientSecrets,
  newClientId,
  newClientSecret,
  type Page,
} from '@libs/tenants';
import type { Caller } from '../auth/principal.decorator';
import { ClientOriginIndex } from './client-origin-index';
import {
  givenFields,
  resolveClientSettings,
  settingsInputOf,
  type ClientSettingsInput,
} from './client-settings';

/** The fields `PATCH /api/v2/clients/{id}` may change. */
export type ClientChangesInput = Partial<
  Omit<ClientSettingsInput, 'app_type' | 'token_endpoint_auth_method' | 'management_api_scopes'>
>;

/** A client just created (or its secret rotated), with its secret in clear: the only time it is shown. */
export interface CreatedClient {
  client: Client;
  /** Absent for a public client (`token_endpoint_auth_method: none`). */
  clientSecret?: string;
}

/** The Management API's use cases on applications. */
@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ClientRepository,
    private readonly origins: ClientOriginIndex,
    private readonly keys: SecretKeys,
    private readonly secrets: ClientSecrets,
    private readonly cache: ClientCache,
    private readonly commands: CommandBus,
    private readonly config: AppConfig,
  ) {}

  /**
   * Registers an application; a confidential one gets a fresh secret, stored as its keyed hash (to
   * authenticate the client: `ClientSecrets`) and sealed (to sign its HS256 id_tokens).
   */
  async createClient(input: ClientSettingsInput): Promise<CreatedClient> {
    const settings = resolveClientSettings(input);
    const clientId = newClientId();
    const clientSecret = settings.tokenEndpointAuthMethod === 'none' ? undefined : newClientSecret();
    const client = await this.clients.create({
      ...settings,
      clientId,
      clientSecretHash: clientSecret ? this.secrets.hash(clientId, clientSecret) : null,
      clientSecretCipher: clientSecret ? this.keys.sealClientSecret(clientId, clientSecret) : null,
    });
    this.origins.invalidate();
    return { client, clientSecret };
  }

  /**
   * Changes some settings of a client; the others, its secret and its type stay. The result must satisfy
   * the same rules as a new client (`resolveClientSettings`).
   */
  async updateClient(clientId: string, changes: ClientChangesInput): Promise<Client> {
    const current = await this.getClient(clientId);
    const before = settingsInputOf(current);
    const settings = resolveClientSettings({
      ...before,
      ...givenFields(changes),
      jwt_configuration: { ...before.jwt_configuration, ...givenFields(changes.jwt_configuration) },
      // Auth0 merges a PATCH's refresh_token into the current policy field by field.
      refresh_token: { ...current.refreshToken, ...givenFields(changes.refresh_token) },
    });
    const updated = await this.clients.update({
      ...settings,
      clientId,
      clientSecretHash: current.clientSecretHash,
      clientSecretCipher: current.clientSecretCipher && this.resealed(clientId, current.clientSecretCipher),
    });
    if (!updated)
      throw new ManagementApiError(ManagementErrorCode.InexistentClient, 'The client does not exist.');
    this.origins.invalidate();
    return updated;
  }

  /** Auth0's rotate-secret: a new secret replaces the old one (within the client cache's TTL); a public client has none. */
  async rotateSecret(clientId: string): Promise<Required<CreatedClient>> {
    const existing = await this.getClient(clientId);
    if (existing.tokenEndpointAuthMethod === 'none') {
      throw new ManagementApiError(
        ManagementErrorCode.InvalidBody,
        'A public client (token_endpoint_auth_method none) has no secret to rotate.',
      );
    }
    const clientSecret = newClientSecret();
    const client = await this.clients.updateSecret(
      clientId,
      this.secrets.hash(clientId, clientSecret),
      this.keys.sealClientSecret(clientId, clientSecret),
    );
    if (!client)
      throw new ManagementApiError(ManagementErrorCode.InexistentClient, 'The client does not exist.');
    return { client, clientSecret };
  }

  /**
   * Deletes an application once every credential of it in force is revoked (one `TokenRevoked` each,
   * reason `client_deleted`, found in the event store so tokens the projector has not applied yet go
   * too). Revoking first keeps a retry able to finish: a failure before the delete leaves the client
   * in place and the revocations already made stay made. The sweep after the delete takes a token
   * issued while the first ran. The bootstrap Management API client is refused: without it nobody could
   * call this API again.
   */
  async deleteClient(clientId: string, caller: Caller): Promise<void> {
    if (clientId === this.config.managementClient.clientId) {
      throw new ManagementApiError(
        ManagementErrorCode.OperationNotSupported,
        'The Management API client this tenant is bootstrapped with (MANAGEMENT_CLIENT_ID) cannot be deleted.',
      );
    }
    await this.getClient(clientId);
    const revokeAll = () =>
      this.commands.execute(
        new RevokeCredentials({ clientId }, 'client_deleted', caller.actor, caller.correlationId),
      );
    await revokeAll();
    const deleted = await this.clients.delete(clientId);
    this.cache.forget(clientId);
    this.origins.invalidate();
    await revokeAll();
    if (!deleted)
      throw new ManagementApiError(ManagementErrorCode.InexistentClient, 'The client does not exist.');
  }

  // A secret sealed under a previous server secret is sealed anew under the current one on each write of
  // its client; one that no accepted secret opens stays as it is (its HS256 id_tokens say so).
  private resealed(clientId: string, sealed: string): string {
    try {
      return this.keys.reseal('client-secret-encryption', clientId, sealed);
    } catch (error) {
      if (error instanceof SealedSecretError) return sealed;
      throw error;
    }
  }

  /** The client with this id; refuses an unknown id with `inexistent_client`. */
  async getClient(clientId: string): Promise<Client> {
    const client = await this.clients.findById(clientId);
    if (!client)
      throw new ManagementApiError(ManagementErrorCode.InexistentClient, 'The client does not exist.');
    return client;
  }

  /** One page of clients. */
  listClients(query: ClientListQuery): Promise<Page<Client>> {
    return this.clients.list(query);
  }
}
