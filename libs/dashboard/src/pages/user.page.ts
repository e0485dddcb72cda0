import { counted, formatUtc, formatUtcOrNever } from './format';
import { html } from '@libs/platform';
import { signedInPage, type Chrome } from './layout';

/** One device of the user: the tokens of one (application, device name). */
export interface DeviceRow {
  deviceName: string;
  clientId: string;
  /** The application's name, or `null` when it was deleted. */
  clientName: string | null;
  tokenCount: number;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** The ✕: the confirmation page for unlinking this device. */
  unlinkHref: string;
}

/** What a user's page shows. */
export interface UserPageView {
  chrome: Chrome;
  usersUrl: string;
  user: {
    userId: string;
    email: string;
    name: string;
    blocked: boolean;
    createdAt: Date;
    lastLogin: Date | null;
    loginsCount: number;
  };
  devices: DeviceRow[];
  /** The outcome of the last action (Post/Redirect/Get), shown once. */
  flash: string | null;
}

/** A user's details and the Devices tab: each device with its tokens, application, times, and a ✕. */
export function renderUserPage(view: UserPageView): string {
  const { user } = view;
  const total = counted(
    view.devices.reduce((n, d) => n + d.tokenCount, 0),
    'active refresh token',
  );
  const rows = view.devices.map(
    (d) =>
      html`<tr>
        <td><strong>${d.deviceName}</strong></td>
        <td>
          <div>${d.clientName ?? html`<span class="muted">(deleted application)</span>`}</div>
          <div class="mono">${d.clientId}</div>
        </td>
        <td class="num">${d.tokenCount}</td>
        <td class="time">${formatUtc(d.createdAt)}</td>
        <td class="time">${formatUtcOrNever(d.lastUsedAt)}</td>
        <td class="num">
          <a
            class="x"
            href="${d.unlinkHref}"
            title="Unlink ${d.deviceName}"
            aria-label="Unlink ${d.deviceName}"
            >✕</a
          >
        </td>
      </tr>`,
  );
  return signedInPage(
    user.email,
    view.chrome,
    html`<p class="crumbs"><a href="${view.usersUrl}">Users</a> / ${user.email}</p>
      ${view.flash ? html`<p class="flash" role="status">${view.flash}</p>` : null}
      <section class="card pad">
        <h1>${user.name || user.email}${user.blocked ? html`<span class="badge">blocked</span>` : null}</h1>
        <p class="muted">${user.email}</p>
        <dl class="facts">
          <div>
            <dt>User ID</dt>
            <dd class="mono">${user.userId}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>${formatUtc(user.createdAt)}</dd>
          </div>
          <div>
            <dt>Last login</dt>
            <dd>${formatUtcOrNever(user.lastLogin)}</dd>
          </div>
          <div>
            <dt>Logins</dt>
            <dd>${user.loginsCount}</dd>
          </div>
        </dl>
      </section>
      <nav class="tabs" aria-label="User sections">
        <span aria-current="page">Devices<span class="count">${view.devices.length}</span></span>
      </nav>
      <div class="card">
        ${view.devices.length === 0
          ? html`<p class="empty">No device holds an active refresh token.</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>Device</th>
                  <th>Application</th>
                  <th class="num">Refresh tokens</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th class="num"><span class="muted" title="Unlink">Unlink</span></th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`}
      </div>
      <p class="muted">${total} in all.</p>`,
  );
}
