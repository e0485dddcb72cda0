import { Injectable } from '@nestjs/common';
import { SealedSecretError, SecretKeys } from '@libs/security';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import {
  type Client,
  type ClientListQuery,
  ClientRepository,
  ClientSecrets,
  newClientId,
  newClientSecret,
  type Page,
} from '@libs/tenants';
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
