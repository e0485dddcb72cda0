import type { DashboardAdmin } from '../admins/dashboard-admins';

/** A logged-in administrator's session, as one request sees it. */
export interface DashboardSession {
  /** The cookie value, held for this request only: it binds the pages' CSRF tokens. */
  token: string;
  admin: DashboardAdmin;
  expiresAt: Date;
  /** Whether a message waits to be shown on the next page (`takeFlash`). */
  hasFlash: boolean;
}

/**
 * Server-side sessions of the dashboard; bound to `PostgresDashboardSessions`. Only a keyed hash of each
 * token is stored. Every method takes the time from its caller.
 */
export abstract class DashboardSessions {
  /** Starts a session for the administrator; returns its new token (the cookie value). */
  abstract start(admin: DashboardAdmin, now: Date): Promise<{ token: string; expiresAt: Date }>;
  /** The session this token names, or `null` when there is none or it has expired. */
  abstract find(token: string, now: Date): Promise<DashboardSession | null>;
  /** Ends the session (logout); a no-op for an unknown token. */
  abstract end(token: string): Promise<void>;
  /** Keeps a message for the next page this session shows (Post/Redirect/Get). */
  abstract setFlash(token: string, message: string): Promise<void>;
  /** The waiting message, removed as it is read; `null` when there is none. */
  abstract takeFlash(token: string): Promise<string | null>;
}
