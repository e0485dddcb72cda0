import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pgPool, StatementBatcher } from '@libs/database';
import type { CredentialState, EventEnvelope } from '@libs/domain';
import { envelopeFromRow } from '@libs/event-store';
import { ownerJsonSql, userFromJson, type User, type UserJson } from '@libs/tenants';
import type { Snapshot } from './runner/command-runner';

export interface FoundCredential {
  credentialId: string;
  /** The projected view's state, when the projector has seen the credential. */
  snapshot?: Snapshot<CredentialState>;
  /** The stream's events from the snapshot's version on, read in the same statement as the view. */
  tail?: EventEnvelope[];
  /** The credential's user as of the same statement; null when it no longer exists. */
  owner?: User | null;
  /**
   * When the token looked up was retired, for a token of a rotating family other than its newest: the
   * store's index answers it (the rotation after the one that issued the token), never a fold.
   */
  retiredAt?: string;
}

interface ViewRow {
  token_hash: string;
  id: string;
  user_id: string;
  client_id: string;
  device_name: string;
  scope: string;
  status: 'active' | 'revoked' | 'expired';
  created_at: Date;
  last_used_at: Date | null;
  rotating: boolean;
  leeway: number;
  expires_at: Date | null;
  idle_lifetime: number | null;
  rotated_at: Date | null;
  previous_token_hash: string | null;
  previous_retired_at: Date | null;
  retry_count: number;
  jkt: string | null;
  version: number;
  /** The projector's head of the stream: the hash of the last event it applied, and whether the stream broke. */
  head_version: number | null;
  head_hash: string | null;
  broken: boolean;
  tail: Parameters<typeof envelopeFromRow>[0][];
  owner: UserJson | null;
}

// The view rows and, in the same round trip, every event of their streams the view may not have
// applied (from the view's version on) and their users: the delegation hot path decides on all three.
const viewWithTail = (column: 'token_hash' | 'id') => `
  SELECT v.token_hash, v.id, v.user_id, v.client_id, v.device_name, v.scope, v.status, v.version,
         v.created_at, v.last_used_at, v.rotating, v.leeway, v.expires_at, v.idle_lifetime, v.rotated_at, v.jkt,
         v.previous_token_hash, v.previous_retired_at, v.retry_count,
         h.version AS head_version, h.last_hash AS head_hash, h.broken_at IS NOT NULL AS broken,
         coalesce((SELECT json_agg(json_build_object(
                    'event_id', e.event_id, 'type', e.type, 'schema_version', e.schema_version,
                    'stream_id', e.stream_id, 'stream_version', e.stream_version, 'occurred_at', e.occurred_at,
                    'correlation_id', e.correlation_id, 'causation_id', e.causation_id,
                    'previous_hash', e.previous_hash, 'hash', e.hash, 'data', e.data) ORDER BY e.stream_version)
                   FROM events e WHERE e.stream_id = v.id AND e.stream_version >= v.version), '[]') AS tail,
         ${ownerJsonSql('v.user_id')} AS owner
    FROM device_credentials v
    LEFT JOIN projection_streams h ON h.projection = 'device-credentials' AND h.stream_id = v.id
   WHERE v.${column} = ANY($1::text[])`;
const BY_TOKEN_HASHES = viewWithTail('token_hash');
const BY_IDS = viewWithTail('id');

// The write side's own record of a token: the TokenIssued or TokenRotated that issued it (for a token the
// view has not applied yet, or a rotating family's token other than its newest; one partial index each),
// and when it was retired: by the family's next rotation, whichever token that one presented (a family
// has one active token). Both by index, bounded whatever the family's length (issue 19 finding 1).
const ISSUED_WITH_TOKEN_HASH = `
  WITH issuing AS (
    SELECT stream_id, stream_version FROM events WHERE type = 'TokenIssued' AND data ->> 'token_hash' = $1
    UNION ALL
    SELECT stream_id, stream_version FROM events WHERE type = 'TokenRotated' AND data ->> 'token_hash' = $1
    LIMIT 1)
  SELECT i.stream_id,
         (SELECT r.data ->> 'rotated_at' FROM events r
           WHERE r.stream_id = i.stream_id AND r.stream_version > i.stream_version AND r.type = 'TokenRotated'
           ORDER BY r.stream_version LIMIT 1) AS retired_at
    FROM issuing i`;

/**
 * Finds the credential a refresh token belongs to: in the device-credential view first (the
 * projection the delegation path validates against), then in the event store for a token issued so
 * recently that the projector has not applied it yet. Either way the caller decides on the stream's
 * events newer than the view, so a revocation the projector has not applied still counts.
 *
 * A view row is used only when the store's chain agrees with it: the projector's head for the stream is
 * the row's version, the store's event at that version has the head's hash, and the stream is not
 * marked broken. Otherwise the row is ignored and the caller folds the whole stream from the store.
 */
@Injectable()
export class CredentialLookup {
  private readonly logger = new Logger(CredentialLookup.name);

  /** Concurrent exchanges share one statement (see `StatementBatcher`). */
  private readonly views = new StatementBatcher<string, ViewRow>(async (tokenHashes) => {
    const { rows } = await pgPool(this.db).query<ViewRow>(BY_TOKEN_HASHES, [tokenHashes]);
    return new Map(rows.map((row) => [row.token_hash, row]));
  });

  /** Tokens that carry their credential's id (id_tokens, access tokens) are checked the same way. */
  private readonly viewsById = new StatementBatcher<string, ViewRow>(async (ids) => {
    const { rows } = await pgPool(this.db).query<ViewRow>(BY_IDS, [ids]);
    return new Map(rows.map((row) => [row.id, row]));
  });

  constructor(private readonly db: DataSource) {}

  /**
   * The credential whose token this is: the view row whose current token it is; otherwise the store's
   * index names the stream (and when the token was retired), and the stream's view row is the snapshot
   * to decide on — a retired token never costs a fold of the family from version 1.
   */
  async byTokenHash(tokenHash: string): Promise<FoundCredential | null> {
    const row = await this.views.submit(tokenHash);
    if (row && this.trusted(row)) return withRetirement(found(row));
    const { rows } = await pgPool(this.db).query<{ stream_id: string; retired_at: string | null }>(
      ISSUED_WITH_TOKEN_HASH,
      [tokenHash],
    );
    if (!rows[0]) return null;
    const retiredAt = rows[0].retired_at === null ? {} : { retiredAt: iso(rows[0].retired_at)! };
    return { ...(await this.byId(rows[0].stream_id)), ...retiredAt };
  }

  /**
   * The credential with this id, from the view and its newer events; a credential the projector has
   * not applied yet is left to the caller to read from the event store.
   */
  async byId(credentialId: string): Promise<FoundCredential> {
    // PostgreSQL text cannot hold NUL; no credential has such an id.
    const row = credentialId.includes('\u0000') ? undefined : await this.viewsById.submit(credentialId);
    return row && this.trusted(row) ? found(row) : { credentialId };
  }

  /** Whether the store's chain agrees with the view row (see the class comment); says so when it does not. */
  private trusted(row: ViewRow): boolean {
    const atVersion = row.tail[0];
    const agrees =
      !row.broken &&
      row.head_hash !== null &&
      Number(row.head_version) === Number(row.version) &&
      atVersion !== undefined &&
      Number(atVersion.stream_version) === Number(row.version) &&
      atVersion.hash === row.head_hash;
    if (!agrees) {
      this.logger.warn({
        msg: 'view row not trusted: the store disagrees or the stream is broken; answering from the store',
        credential_id: row.id,
        broken: row.broken,
      });
    }
    return agrees;
  }
}

function found(row: ViewRow): FoundCredential {
  return {
    credentialId: row.id,
    snapshot: { state: stateOf(row), version: Number(row.version) },
    tail: row.tail.map(envelopeFromRow),
    owner: row.owner && userFromJson(row.owner),
  };
}

/**
 * A view row found by its current token, with the events it has not applied: when those rotate the
 * family, the token presented is no longer current (a lagging projector) — it was retired by the first
 * of them (one active token per family), which is what the decider needs to tell a retry from a reuse.
 */
function withRetirement(credential: FoundCredential): FoundCredential {
  const rotation = credential.tail?.slice(1).find((event) => event.type === 'TokenRotated');
  return rotation?.type === 'TokenRotated'
    ? { ...credential, retiredAt: rotation.data.rotated_at }
    : credential;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** The decider's state as the view row has it: the current token, the previous one, the retry count. */
function stateOf(row: ViewRow): CredentialState {
  const issuedAt = iso(row.created_at)!;
  // Rotation and delegation are recorded together: the later of the two is the last use.
  const used = [row.last_used_at, row.rotated_at].map(iso).filter((t): t is string => t !== null);
  return {
    status: row.status,
    credentialId: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    deviceName: row.device_name,
    scope: row.scope,
    terms: {
      rotating: row.rotating,
      leeway: Number(row.leeway),
      expires_at: iso(row.expires_at),
      idle_lifetime: row.idle_lifetime === null ? null : Number(row.idle_lifetime),
    },
    jkt: row.jkt,
    issuedAt,
    lastUsedAt: used.sort().at(-1) ?? issuedAt,
    token: row.token_hash,
    previous:
      row.previous_token_hash === null || row.previous_retired_at === null
        ? null
        : { hash: row.previous_token_hash, retiredAt: iso(row.previous_retired_at)! },
    retries: Number(row.retry_count),
  };
}
