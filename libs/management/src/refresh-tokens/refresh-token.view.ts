/** One refresh token as the view (`device_credentials`) holds it; never the token or its hash. */
export interface RefreshTokenRow {
  id: string;
  user_id: string;
  client_id: string;
  device_name: string;
  created_at: Date;
  last_used_at: Date | null;
  rotating: boolean;
  /** The family's absolute end; null: none. */
  expires_at: Date | null;
  /** Seconds without an exchange after which the token expires; null: none. */
  idle_lifetime: number | null;
}

/**
 * Auth0's refresh token object (`GET /api/v2/refresh-tokens/{id}`, a user's list). Sessions and APIs
 * (resource servers) do not exist here: `session_id` is null and `resource_servers` empty. Of Auth0's
 * `device` (addresses, ASNs, user agents: not recorded here) only the name the app gave is known.
 */
export interface RefreshTokenView {
  id: string;
  user_id: string;
  created_at: string;
  /** When the token expires unless exchanged before; null without an idle lifetime. */
  idle_expires_at: string | null;
  expires_at: string | null;
  device: { device_name: string };
  client_id: string;
  session_id: null;
  rotating: boolean;
  resource_servers: [];
  last_exchanged_at: string | null;
}

/** The Management API view of a refresh token; the idle end counts from its last exchange (or issuance). */
export function toRefreshTokenView(row: RefreshTokenRow): RefreshTokenView {
  const lastUse = row.last_used_at ?? row.created_at;
  return {
    id: row.id,
    user_id: row.user_id,
    created_at: row.created_at.toISOString(),
    idle_expires_at:
      row.idle_lifetime === null
        ? null
        : new Date(lastUse.getTime() + row.idle_lifetime * 1000).toISOString(),
    expires_at: row.expires_at?.toISOString() ?? null,
    device: { device_name: row.device_name },
    client_id: row.client_id,
    session_id: null,
    rotating: row.rotating,
    resource_servers: [],
    last_exchanged_at: row.last_used_at?.toISOString() ?? null,
  };
}
