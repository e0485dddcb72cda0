import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Page } from '../page';
import type { Client, NewClient } from './client';
import { ClientRepository, type ClientListQuery } from './client.repository';

interface ClientRow {
  client_id: string;
  name: string;
  description: string;
  app_type: Client['appType'];
  callbacks: string[];
  grant_types: Client['grantTypes'];
  token_endpoint_auth_method: Client['tokenEndpointAuthMethod'];
  client_secret_hash: string | null;
  id_token_lifetime_seconds: number;
  id_token_alg: Client['idTokenAlg'];
  management_scopes: Client['managementScopes'];
  created_at: Date;
}

const COLUMNS = `client_id, name, description, app_type, callbacks, grant_types, token_endpoint_auth_method,
  client_secret_hash, id_token_lifetime_seconds, id_token_alg, management_scopes, created_at`;

const toClient = (row: ClientRow): Client => ({
  clientId: row.client_id,
  name: row.name,
  description: row.description,
  appType: row.app_type,
  callbacks: row.callbacks,
  grantTypes: row.grant_types,
  tokenEndpointAuthMethod: row.token_endpoint_auth_method,
  clientSecretHash: row.client_secret_hash,
  idTokenLifetimeSeconds: row.id_token_lifetime_seconds,
  idTokenAlg: row.id_token_alg,
  managementScopes: row.management_scopes,
  createdAt: row.created_at,
});

const values = (c: NewClient) => [
  c.clientId,
  c.name,
  c.description,
  c.appType,
  c.callbacks,
  c.grantTypes,
  c.tokenEndpointAuthMethod,
  c.clientSecretHash,
  c.idTokenLifetimeSeconds,
  c.idTokenAlg,
  c.managementScopes,
];

const INSERT = `INSERT INTO clients (client_id, name, description, app_type, callbacks, grant_types,
    token_endpoint_auth_method, client_secret_hash, id_token_lifetime_seconds, id_token_alg, management_scopes)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

/** `ClientRepository` over the `clients` table, in raw SQL. */
@Injectable()
export class PostgresClientRepository extends ClientRepository {
  constructor(private readonly db: DataSource) {
    super();
  }

  async findById(clientId: string): Promise<Client | null> {
    // PostgreSQL text cannot hold NUL (the query would fail): no client has such an id.
    if (clientId.includes('\u0000')) return null;
    const rows = await this.db.query<ClientRow[]>(`SELECT ${COLUMNS} FROM clients WHERE client_id = $1`, [
      clientId,
    ]);
    return rows[0] ? toClient(rows[0]) : null;
  }

  async create(client: NewClient): Promise<Client> {
    const rows = await this.db.query<ClientRow[]>(`${INSERT} RETURNING ${COLUMNS}`, values(client));
    return toClient(rows[0]);
  }

  async upsert(client: NewClient): Promise<Client> {
    // ON CONFLICT makes concurrent boots of several instances converge instead of failing on the key.
    const rows = await this.db.query<ClientRow[]>(
      `${INSERT}
       ON CONFLICT (client_id) DO UPDATE SET
         name = EXCLUDED.name, description = EXCLUDED.description, app_type = EXCLUDED.app_type,
         callbacks = EXCLUDED.callbacks, grant_types = EXCLUDED.grant_types,
         token_endpoint_auth_method = EXCLUDED.token_endpoint_auth_method,
         client_secret_hash = EXCLUDED.client_secret_hash,
         id_token_lifetime_seconds = EXCLUDED.id_token_lifetime_seconds, id_token_alg = EXCLUDED.id_token_alg,
         management_scopes = EXCLUDED.management_scopes, updated_at = now()
       RETURNING ${COLUMNS}`,
      values(client),
    );
    return toClient(rows[0]);
  }

  async list(query: ClientListQuery): Promise<Page<Client>> {
    const types = query.appTypes?.length ? query.appTypes : null;
    const where = `WHERE $1::text[] IS NULL OR app_type = ANY($1::text[])`;
    const rows = await this.db.query<ClientRow[]>(
      `SELECT ${COLUMNS} FROM clients ${where} ORDER BY created_at, client_id LIMIT $2 OFFSET $3`,
      [types, query.perPage, query.page * query.perPage],
    );
    const [{ total }] = await this.db.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM clients ${where}`,
      [types],
    );
    return { items: rows.map(toClient), total };
  }
}
