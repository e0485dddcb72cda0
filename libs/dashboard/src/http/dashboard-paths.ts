/**
 * The browser-visible URLs of the dashboard: under `PUBLIC_URL`'s own path (a proxy may mount the tenant
 * below `/`), so links, redirects, form actions and the cookie path all agree with what the browser sees.
 */
export class DashboardPaths {
  /** The cookie path and the prefix of every dashboard URL, e.g. `/dashboard`. */
  readonly base: string;
  /** The login page and its form's action. */
  readonly login: string;
  /** The logout form's action. */
  readonly logout: string;
  /** The origin forms are posted from: `PUBLIC_URL`'s scheme, host and port. */
  readonly origin: string;
  /** Whether the dashboard is served over https (Secure cookies). */
  readonly secure: boolean;
  /** What the header bar calls the tenant: `PUBLIC_URL`'s host. */
  readonly tenantName: string;

  constructor(publicUrl: string) {
    const url = new URL(publicUrl);
    this.base = `${url.pathname.replace(/\/+$/, '')}/dashboard`;
    this.login = `${this.base}/login`;
    this.logout = `${this.base}/logout`;
    this.origin = url.origin;
    this.secure = url.protocol === 'https:';
    this.tenantName = url.host;
  }

  /** The users list, with its search and 1-based page when they are not the defaults. */
  users(query: { q?: string; page?: number } = {}): string {
    const params = new URLSearchParams();
    if (query.q) params.set('q', query.q);
    if (query.page && query.page > 1) params.set('page', String(query.page));
    const search = params.toString();
    return `${this.base}/users${search ? `?${search}` : ''}`;
  }

  /** A user's page (user ids contain `|`, so the segment is percent-encoded). */
  user(userId: string): string {
    return `${this.base}/users/${encodeURIComponent(userId)}`;
  }

  /** Where a device's ✕ leads: the confirmation page; the same path is the Unlink form's action. */
  unlink(userId: string, device?: { clientId: string; deviceName: string }): string {
    const path = `${this.user(userId)}/devices/unlink`;
    if (!device) return path;
    return `${path}?${new URLSearchParams({ client_id: device.clientId, device: device.deviceName })}`;
  }
}
