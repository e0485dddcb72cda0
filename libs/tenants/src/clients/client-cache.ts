import { Injectable } from '@nestjs/common';
import type { Client } from './client';
import { ClientRepository } from './client.repository';

const TTL_MS = 5_000;

/**
 * Clients read on the hot path, cached for a few seconds: a changed lifetime or algorithm applies
 * within TTL_MS; a deleted client stops being served within the same delay.
 */
@Injectable()
export class ClientCache {
  private readonly entries = new Map<string, { client: Client | null; until: number }>();

  constructor(private readonly clients: ClientRepository) {}

  async get(clientId: string): Promise<Client | null> {
    const now = Date.now();
    const hit = this.entries.get(clientId);
    if (hit && hit.until > now) return hit.client;
    const client = await this.clients.findById(clientId);
    // Unknown ids are cached too (briefly), so guessing ids cannot hammer the database.
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(clientId, { client, until: now + TTL_MS });
    return client;
  }

  /** Drops this process's copy of a client it changed itself (its secret's stored form hashed anew). */
  forget(clientId: string): void {
    this.entries.delete(clientId);
  }
}
