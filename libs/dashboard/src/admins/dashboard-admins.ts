/** An administrator of the dashboard; the password hash never leaves the store. */
export interface DashboardAdmin {
  adminId: string;
  email: string;
}

/** Storage of the dashboard's administrators; bound to `PostgresDashboardAdmins`. */
export abstract class DashboardAdmins {
  /**
   * The administrator when `password` is theirs, else `null` — also for an unknown email, after the same
   * scrypt work, so the response time does not tell which emails are administrators.
   */
  abstract verifyPassword(email: string, password: string): Promise<DashboardAdmin | null>;
  /** Stores the administrator (scrypt hash of the password) only if there is none yet; true when it did. */
  abstract createFirst(email: string, password: string): Promise<boolean>;
}
