import { html, loginFields } from '@libs/platform';
import { standalonePage } from './layout';

/** What the login page shows and carries. */
export interface LoginPageView {
  tenantName: string;
  action: string;
  csrfToken: string;
  /** The email typed before, kept on a retry; the password never is. */
  email: string;
  error: string | null;
}

/** The administrator's login form: email and password, the CSRF token in a hidden field, no script. */
export function renderLoginPage(view: LoginPageView): string {
  return standalonePage(
    'Log in',
    view.tenantName,
    html`<h1>Log in</h1>
      <p class="muted">to the dashboard of <strong>${view.tenantName}</strong></p>
      ${view.error ? html`<p class="error" role="alert">${view.error}</p>` : null}
      <form method="post" action="${view.action}">
        <input type="hidden" name="csrf_token" value="${view.csrfToken}" />
        ${loginFields(view.email)}
        <button class="btn wide" type="submit">Log in</button>
      </form>`,
  );
}
