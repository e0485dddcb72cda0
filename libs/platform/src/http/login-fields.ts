import { html, type SafeHtml } from './html';

/**
 * The email and password fields of a login form (the hosted login page, the dashboard's): the email
 * typed before is kept on a retry, the password never is; autocomplete hints let password managers fill them.
 */
export function loginFields(email: string): SafeHtml {
  return html`<label for="email">Email</label>
    <input id="email" name="email" type="email" autocomplete="username" required autofocus value="${email}" />
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required />`;
}
