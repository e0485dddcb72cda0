import { formatUtc, formatUtcOrNever } from './format';
import { html } from '@libs/platform';
import { signedInPage, type Chrome } from './layout';

/** One row of the users list. */
export interface UserRow {
  href: string;
  email: string;
  name: string;
  blocked: boolean;
  createdAt: Date;
  lastLogin: Date | null;
  loginsCount: number;
}

/** What the users list shows: one page of a search. */
export interface UsersPageView {
  chrome: Chrome;
  /** The search as typed. */
  q: string;
  searchAction: string;
  users: UserRow[];
  /** 0-based index of the first row shown, and how many match in all. */
  start: number;
  total: number;
  previous: string | null;
  next: string | null;
}

/** The users list: a search box, a table linking to each user, and paging. */
export function renderUsersPage(view: UsersPageView): string {
  const rows = view.users.map(
    (u) =>
      html`<tr>
        <td>
          <a href="${u.href}">${u.email}</a>${u.blocked ? html`<span class="badge">blocked</span>` : null}
        </td>
        <td>${u.name}</td>
        <td class="time">${formatUtc(u.createdAt)}</td>
        <td class="time">${formatUtcOrNever(u.lastLogin)}</td>
        <td class="num">${u.loginsCount}</td>
      </tr>`,
  );
  const shown =
    view.total === 0 ? 'No users' : `${view.start + 1}–${view.start + view.users.length} of ${view.total}`;
  return signedInPage(
    'Users',
    view.chrome,
    html`<h1>Users</h1>
      <div class="toolbar">
        <form class="search" method="get" action="${view.searchAction}" role="search">
          <input
            type="search"
            name="q"
            value="${view.q}"
            placeholder="Search by email or name"
            aria-label="Search users"
          />
          <button class="btn" type="submit">Search</button>
          ${view.q ? html`<a class="btn secondary" href="${view.searchAction}">Clear</a>` : null}
        </form>
        <span class="muted">${shown}</span>
      </div>
      <div class="card">
        ${view.users.length === 0
          ? html`<p class="empty">${view.q ? 'No user matches this search.' : 'There are no users yet.'}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Name</th>
                  <th>Created</th>
                  <th>Last login</th>
                  <th class="num">Logins</th>
                </tr>
              </thead>
              <tbody>
                ${rows}
              </tbody>
            </table>`}
      </div>
      ${view.previous || view.next
        ? html`<div class="pager">
            <span class="muted">${shown}</span>
            <span class="links">
              ${view.previous ? html`<a class="btn secondary" href="${view.previous}">← Previous</a>` : null}
              ${view.next ? html`<a class="btn secondary" href="${view.next}">Next →</a>` : null}
            </span>
          </div>`
        : null}`,
  );
}
