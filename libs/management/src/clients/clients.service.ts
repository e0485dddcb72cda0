import { Injectable } from '@nestjs/common';
import { hashSecret } from '@libs/security';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import {
  type Client,
  type ClientListQuery,
  ClientRepository,
  newClientId,
  newClientSecret,
  type Page,
} from '@libs/tenants';
import { resolveClientSettings, type ClientSettingsInput } from './client-settings';

/** A client just created, with its secret in clear: the only moment the secret exists outside a hash. */
export interface CreatedClient {
  client: Client;
  /** Absent for a public client (`token_endpoint_auth_method: none`). */
  clientSecret?: string;
}

/** The Management API's use cases on applications. */
@Injectable()
export class ClientsService {
  constructor(private readonly clients: ClientRepository) {}

  /** Registers an application; a confidential one gets a fresh secret, stored only as its scrypt hash. */
  async createClient(input: ClientSettingsInput): Promise<CreatedClient> {
    const settings = resolveClientSettings(input);
    const clientSecret = settings.tokenEndpointAuthMethod === 'none' ? undefined : newClientSecret();
    const client = await this.clients.create({
      ...settings,
      clientId: newClientId(),
      clientSecretHash: clientSecret ? await hashSecret(clientSecret) : null,
    });
    return { client, clientSecret };
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
