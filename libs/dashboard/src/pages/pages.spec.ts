import { counted, formatUtc, formatUtcOrNever } from './format';
import { escapeHtml, html, SafeHtml } from '@libs/platform';
import type { Chrome } from './layout';
import { renderErrorPage } from './error.page';
import { renderLoginPage } from './login.page';
import { renderUnlinkPage } from './unlink.page';
import { renderUserPage } from './user.page';
import { renderUsersPage } from './users.page';

const SCRIPT = '<script>alert("x")</script>';
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;';
const chrome: Chrome = {
  tenantName: `tenant ${SCRIPT}`,
  adminEmail: `admin${SCRIPT}@example.com`,
  usersUrl: '/dashboard/users',
  logoutAction: '/dashboard/logout',
  csrfToken: 'csrf-token-value',
};
const created = new Date('2026-11-25T22:03:41Z');

/** No raw `<script` anywhere: every value a page shows was escaped. */
const expectEscaped = (page: string) => {
  expect(page).not.toMatch(/<script/i);
  expect(page).toContain(ESCAPED);
};

describe('html', () => {
  it('escapes interpolated values, not SafeHtml, and renders nothing for null, undefined and false', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(html`<p>${SCRIPT}</p>`.markup).toBe(`<p>${ESCAPED}</p>`);
    expect(html`<p>${new SafeHtml('<b>ok</b>')}${null}${undefined}${false}${[1, '<', 2]}</p>`.markup).toBe(
      '<p><b>ok</b>1&lt;2</p>',
    );
  });
});

describe('format', () => {
  it('shows times in UTC to the minute, "never" for none, and counts with the right plural', () => {
    expect(formatUtc(created)).toBe('2026-11-25 22:03 UTC');
    expect(formatUtc(new Date('2026-01-02T03:04:59.999+02:00'))).toBe('2026-01-02 01:04 UTC');
    expect(formatUtcOrNever(null)).toBe('never');
    expect(counted(1, 'refresh token')).toBe('1 refresh token');
    expect(counted(0, 'refresh token')).toBe('0 refresh tokens');
    expect(counted(2, 'refresh token')).toBe('2 refresh tokens');
  });
});

describe('dashboard pages', () => {
  it('login: escapes the typed email and the error, carries the CSRF token, and has no script', () => {
    const page = renderLoginPage({
      tenantName: 'tenant',
      action: '/dashboard/login',
      csrfToken: 'tok',
      email: `"><script>alert("x")</script>`,
      error: SCRIPT,
    });
    expect(page).toContain('<input type="hidden" name="csrf_token" value="tok" />');
    expect(page).toContain('value="&quot;&gt;&lt;script&gt;');
    expectEscaped(page);
  });

  it('users: escapes every field, links each user, and shows the range', () => {
    const page = renderUsersPage({
      chrome,
      q: SCRIPT,
      searchAction: '/dashboard/users',
      users: [
        {
          href: '/dashboard/users/auth0%7C1',
          email: `a${SCRIPT}@example.com`,
          name: SCRIPT,
          blocked: true,
          createdAt: created,
          lastLogin: null,
          loginsCount: 3,
        },
      ],
      start: 0,
      total: 1,
      previous: null,
      next: null,
    });
    expectEscaped(page);
    expect(page).toContain('href="/dashboard/users/auth0%7C1"');
    expect(page).toContain('1–1 of 1');
    expect(page).toContain('2026-11-25 22:03 UTC');
    expect(page).toContain('never');
    expect(page).toContain('class="badge">blocked');
  });

  it('user: lists devices with counts, application, times and an escaped ✕ link; shows the flash once given', () => {
    const page = renderUserPage({
      chrome,
      usersUrl: '/dashboard/users',
      user: {
        userId: 'auth0|1',
        email: 'ada@example.com',
        name: SCRIPT,
        blocked: false,
        createdAt: created,
        lastLogin: created,
        loginsCount: 1,
      },
      devices: [
        {
          deviceName: SCRIPT,
          clientId: 'client-1',
          clientName: `App ${SCRIPT}`,
          tokenCount: 2,
          createdAt: created,
          lastUsedAt: null,
          unlinkHref: '/dashboard/users/auth0%7C1/devices/unlink?client_id=client-1&device=x',
        },
      ],
      flash: `Unlinked ${SCRIPT}: 2 refresh tokens revoked`,
    });
    expectEscaped(page);
    expect(page).toContain('<td class="num">2</td>');
    expect(page).toContain(
      'href="/dashboard/users/auth0%7C1/devices/unlink?client_id=client-1&amp;device=x"',
    );
    expect(page).toContain('✕');
    expect(page).toContain(`Unlinked ${ESCAPED}: 2 refresh tokens revoked`);
    expect(page).toContain('name="csrf_token" value="csrf-token-value"');
    expect(page).toContain('2 active refresh tokens in all.');
  });

  it('unlink: posts the escaped device and client with the CSRF token, and offers Cancel', () => {
    const page = renderUnlinkPage({
      chrome,
      userEmail: 'ada@example.com',
      userUrl: '/dashboard/users/auth0%7C1',
      deviceName: SCRIPT,
      clientId: `c"${SCRIPT}`,
      clientName: null,
      tokenCount: 1,
      action: '/dashboard/users/auth0%7C1/devices/unlink',
    });
    expectEscaped(page);
    expect(page).toContain(`name="device" value="${ESCAPED}"`);
    expect(page).toContain(`name="client_id" value="c&quot;${ESCAPED}"`);
    expect(page).toContain('1 refresh token</strong>');
    expect(page).toMatch(/<a class="btn secondary" href="\/dashboard\/users\/auth0%7C1">Cancel<\/a>/);
  });

  it('error: escapes its texts', () => {
    expectEscaped(
      renderErrorPage({
        tenantName: SCRIPT,
        title: SCRIPT,
        description: SCRIPT,
        code: 'x',
        back: { label: 'Back', href: '/dashboard/users' },
      }),
    );
  });
});
