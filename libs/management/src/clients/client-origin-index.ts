import { Injectable, Logger } from '@nestjs/common';
import { ClientOrigins } from '@libs/platform';
import { ClientRepository, type ClientOriginList } from '@libs/tenants';
import { clientOriginProblem, matchesSubdomain, originPattern, type OriginPattern } from './client-origins';

/** How long another instance's client change may take to reach this one's index. */
const TTL_MS = 5_000;

const logger = new Logger('ClientOriginIndex');

type SubdomainPattern = Extract<OriginPattern, { kind: 'subdomain' }>;

/** Every listed origin → the clients listing it; subdomain patterns (rare) are scanned. */
export class OriginTable {
  private readonly exact = new Map<string, Set<string>>();
  private readonly subdomains: Array<{ clientId: string; pattern: SubdomainPattern }> = [];

  constructor(lists: ClientOriginList[]) {
    for (const { clientId, origins } of lists) {
      for (const origin of origins) {
        const pattern = originPattern(origin);
        // A wildcard stored before issue 19 finding 12 that is now refused (over a public suffix or plain
        // http) is inert: it allowed pages nobody listed. The client's other origins still apply.
        const problem = pattern.kind === 'subdomain' ? clientOriginProblem(origin) : undefined;
        if (problem) logger.warn({ msg: 'ignoring a stored origin wildcard', clientId, problem });
        else if (pattern.kind === 'subdomain') this.subdomains.push({ clientId, pattern });
        else if (this.exact.has(origin)) this.exact.get(origin)!.add(clientId);
        else this.exact.set(origin, new Set([clientId]));
      }
    }
  }

  /** True when `clientId` (any client when absent) lists the `Origin` header `origin`. */
  lists(origin: string, clientId?: string): boolean {
    const clients = this.exact.get(origin);
    if (clients && (clientId === undefined || clients.has(clientId))) return true;
    return this.subdomains.some(
      (entry) =>
        (clientId === undefined || entry.clientId === clientId) && matchesSubdomain(entry.pattern, origin),
    );
  }
}

/**
 * `ClientOrigins` from one in-memory table of every client's origins: a preflight or a request costs a map
 * lookup, never a query. The table is reloaded (one query, one load at a time) when this instance changes
 * a client (`invalidate`) and at most TTL_MS after another instance did.
 */
@Injectable()
export class ClientOriginIndex extends ClientOrigins {
  private table?: { value: OriginTable; until: number };
  private loading?: Promise<OriginTable>;
  private generation = 0;

  constructor(private readonly clients: ClientRepository) {
    super();
  }

  async listedByAnyClient(origin: string): Promise<boolean> {
    return (await this.current()).lists(origin);
  }

  async listedByClient(clientId: string, origin: string): Promise<boolean> {
    return (await this.current()).lists(origin, clientId);
  }

  /** Forgets the table after a client changed; a load already running is not reused. */
  invalidate(): void {
    this.generation++;
    this.table = undefined;
    this.loading = undefined;
  }

  private current(): Promise<OriginTable> {
    if (this.table && this.table.until > Date.now()) return Promise.resolve(this.table.value);
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<OriginTable> {
    const generation = this.generation;
    try {
      const value = new OriginTable(await this.clients.listOrigins());
      // A client changed while the query ran: answer with what was read, but do not keep it.
      if (generation === this.generation) this.table = { value, until: Date.now() + TTL_MS };
      return value;
    } finally {
      if (generation === this.generation) this.loading = undefined;
    }
  }
}
