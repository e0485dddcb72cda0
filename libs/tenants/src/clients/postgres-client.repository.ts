import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LEGACY_REFRESH_TOKEN_POLICY, type RefreshTokenPolicy } from '@libs/domain';
import type { Page } from '../page';
import type { Client, NewClient } from './client';
import { ClientRepository, type ClientListQuery, type ClientOriginList } from './client.repository';

interface ClientRow {
  client_id: string;
  name: string;
  description: string;
  app_type: Client['appType'];
  callbacks: string[];
  web_origins: string[];
  allowed_origins: string[];
  grant_types: Client['grantTypes'];
  token_endpoint_auth_method: Client['tokenEndpointAuthMethod'];
  client_secret_hash: string | null;
  client_secret_cipher: string | null;
  id_token_lifetime_seconds: number;
  id_token_alg: Client['idTokenAlg'];
  management_scopes: Client['managementScopes'];
  /** `NULL` for a client that never set a policy: the legacy defaults. */
  refresh_token: RefreshTokenPolicy | null;
  require_proof_of_possession: boolean;
  allowed_clients: string[];
  created_at: Date;
}

const COLUMNS = `client_id, name, description, app_type, callbacks, grant_types, token_endpoint_auth_method,
  client_secret_hash, id_token_lifetime_seconds, id_token_alg, management_scopes, web_origins, allowed_origins,
  created_at, client_secret_cipher, refresh_token, require_proof_of_possession, allowed_clients`;

const toClient = (row: ClientRow): Client => ({
  clientId: row.client_id,
  name: row.name,
  description: row.description,
  appType: row.app_type,
  callbacks: row.callbacks,
  webOrigins: row.web_origins,
  allowedOrigins: row.allowed_origins,
  grantTypes: row.grant_types,
  tokenEndpointAuthMethod: row.token_endpoint_auth_method,
  clientSecretHash: row.client_secret_hash,
  clientSecretCipher: row.client_secret_cipher,
  idTokenLifetimeSeconds: row.id_token_lifetime_seconds,
  idTokenAlg: row.id_token_alg,
  managementScopes: row.management_scopes,
  refreshToken: { ...LEGACY_REFRESH_TOKEN_POLICY, ...row.refresh_token },
  requireProofOfPossession: row.require_proof_of_possession,
  allowedClients: row.allowed_clients,
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
  c.webOrigins,
  c.allowedOrigins,
  c.clientSecretCipher ?? null,
  JSON.stringify(c.refreshToken),
  c.requireProofOfPossession ?? false,
  c.allowedClients ?? [],
];

const INSERT = `INSERT INTO clients (client_id, name, description, app_type, callbacks, grant_types,
    token_endpoint_auth_method, client_secret_hash, id_token_lifetime_seconds, id_token_alg, management_scopes,
    web_origins, allowed_origins, client_secret_cipher, refresh_token, require_proof_of_possession,
    allowed_clients)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::jsonb, $16, $17)`;

// Every setting but the id, from the parameters of \`values()\`.
const SET_ALL = `name = $2, description = $3, app_type = $4, callbacks = $5, grant_types = $6,
  token_endpoint_auth_method = $7, client_secret_hash = $8, id_token_lifetime_seconds = $9, id_token_alg = $10,
  management_scopes = $11, web_origins = $12, allowed_origins = $13, client_secret_cipher = $14,
  refresh_token = $15::jsonb, require_proof_of_possession = $16, allowed_clients = $17, updated_at = now()`;

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
       ON CONFLICT (client_id) DO UPDATE SET ${SET_ALL}
       RETURNING ${COLUMNS}`,
      values(client),
    );
    return toClient(rows[0]);
  }

  async update(client: NewClient): Promise<Client | null> {
    // TypeORM answers an UPDATE with [rows, affected count], unlike a SELECT or INSERT.
    const [rows] = await this.db.query<[ClientRow[], number]>(
      `UPDATE clients SET ${SET_ALL} WHERE client_id = $1 RETURNING ${COLUMNS}`,
      values(client),
    );
    return rows[0] ? toClient(rows[0]) : null;
  }

  async listOrigins(): Promise<ClientOriginList[]> {
    return this.db.query<ClientOriginList[]>(
      `SELECT client_id AS "clientId", web_origins || allowed_origins AS origins FROM clients
       WHERE cardinality(web_origins) + cardinality(allowed_origins) > 0`,
    );
  }

  async updateSecret(clientId: string, secretHash: string, secretCipher: string): Promise<Client | null> {
    const rows = await this.db.query<[ClientRow[], number]>(
      `UPDATE clients SET client_secret_hash = $2, client_secret_cipher = $3, updated_at = now()
       WHERE client_id = $1 RETURNING ${COLUMNS}`,
      [clientId, secretHash, secretCipher],
    );
    return rows[0][0] ? toClient(rows[0][0]) : null;
  }

  async replaceSecretHash(clientId: string, expected: string, next: string): Promise<boolean> {
    const [, changed] = await this.db.query<[unknown[], number]>(
      `UPDATE clients SET client_secret_hash = $3 WHERE client_id = $1 AND client_secret_hash = $2`,
      [clientId, expected, next],
    );
    return changed > 0;
  }

  async listSecrets(): Promise<{ clientId: string; hash: string; sealed: string | null }[]> {
    return this.db.query<{ clientId: string; hash: string; sealed: string | null }[]>(
      `SELECT client_id AS "clientId", client_secret_hash AS hash, client_secret_cipher AS sealed
       FROM clients WHERE client_secret_hash IS NOT NULL ORDER BY client_id`,
    );
  }

  async resealSecrets(
    reseal: (clientId: string, sealed: string) => string,
  ): Promise<{ resealed: number; failed: string[] }> {
    const rows = await this.db.query<{ client_id: string; client_secret_cipher: string }[]>(
      `SELECT client_id, client_secret_cipher FROM clients WHERE client_secret_cipher IS NOT NULL`,
    );
    let resealed = 0;
    const failed: string[] = [];
    for (const row of rows) {
      let sealed: string;
      try {
        sealed = reseal(row.client_id, row.client_secret_cipher);
      } catch {
        failed.push(row.client_id);
        continue;
      }
      if (sealed === row.client_secret_cipher) continue;
      const [, changed] = await this.db.query<[unknown[], number]>(
        `UPDATE clients SET client_secret_cipher = $3 WHERE client_id = $1 AND client_secret_cipher = $2`,
        [row.client_id, row.client_secret_cipher, sealed],
      );
      resealed += changed;
    }
    return { resealed, failed };
  }

  async signsIdTokensWith(alg: Client['idTokenAlg']): Promise<boolean> {
    const [{ found }] = await this.db.query<{ found: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM clients WHERE id_token_alg = $1) AS found`,
      [alg],
    );
    return found;
  }

  async delete(clientId: string): Promise<boolean> {
    // PostgreSQL text cannot hold NUL (the query would fail): no client has such an id.
    if (clientId.includes('\u0000')) return false;
    const [, deleted] = await this.db.query<[unknown[], number]>(`DELETE FROM clients WHERE client_id = $1`, [
      clientId,
    ]);
    return deleted > 0;
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
