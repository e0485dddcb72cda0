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

/** Storage of the tenant's applications; bound to `PostgresClientRepository`. */
export abstract class ClientRepository {
  /** The client with this id, or `null`. */
  abstract findById(clientId: string): Promise<Client | null>;
  /** Stores a new client; rejects when the id is taken. */
  abstract create(client: NewClient): Promise<Client>;
  /** Inserts the client or replaces every setting of the one with its id; safe under concurrent callers. */
  abstract upsert(client: NewClient): Promise<Client>;
  /** One page of clients, oldest first, with the total count matching the filter. */
  abstract list(query: ClientListQuery): Promise<Page<Client>>;
}
