import type { Page } from '../page';
import type { AppType, Client, NewClient } from './client';

/** Which clients to list. */
export interface ClientListQuery {
  /** 0-based page index. */
  page: number;
  perPage: number;
  /** Only clients of these types; every type when absent. */
  appTypes?: AppType[];
}

/** The page origins one client lists (`web_origins` and `allowed_origins` together). */
export interface ClientOriginList {
  clientId: string;
  origins: string[];
}

/** Storage of the tenant's applications; bound to `PostgresClientRepository`. */
export abstract class ClientRepository {
  /** The client with this id, or `null`. */
  abstract findById(clientId: string): Promise<Client | null>;
  /** Stores a new client; rejects when the id is taken. */
  abstract create(client: NewClient): Promise<Client>;
  /** Inserts the client or replaces every setting of the one with its id; safe under concurrent callers. */
  abstract upsert(client: NewClient): Promise<Client>;
  /** Replaces every setting of the client with its id; `null` when no client has it. */
  abstract update(client: NewClient): Promise<Client | null>;
  /** Every client that lists at least one origin, with its origins: the CORS index is built from it. */
  abstract listOrigins(): Promise<ClientOriginList[]>;
  /** Replaces a client's secret (hash and sealed form); `null` when no client has this id. */
  abstract updateSecret(clientId: string, secretHash: string, secretCipher: string): Promise<Client | null>;
  /**
   * Replaces a client's stored secret hash with `next` if it is still `expected` (a compare-and-set: a
   * secret rotated meanwhile stays); whether it did. The secret itself is unchanged (hashed anew).
   */
  abstract replaceSecretHash(clientId: string, expected: string, next: string): Promise<boolean>;
  /** Every client with a secret: its id, stored hash and sealed copy (the boot upgrade reads them). */
  abstract listSecrets(): Promise<{ clientId: string; hash: string; sealed: string | null }[]>;
  /**
   * Replaces each client's sealed secret with what `reseal` makes of it, where that differs (a
   * compare-and-set per row: a secret rotated meanwhile stays); resolves with the clients changed and the
   * ids of those `reseal` threw for.
   */
  abstract resealSecrets(
    reseal: (clientId: string, sealed: string) => string,
  ): Promise<{ resealed: number; failed: string[] }>;
  /** Whether at least one client signs its id_tokens with `alg` (discovery lists the algorithms in use). */
  abstract signsIdTokensWith(alg: Client['idTokenAlg']): Promise<boolean>;
  /** Deletes the client with this id (its authorization codes go with it); whether one did exist. */
  abstract delete(clientId: string): Promise<boolean>;
  /** One page of clients, oldest first, with the total count matching the filter. */
  abstract list(query: ClientListQuery): Promise<Page<Client>>;
}
