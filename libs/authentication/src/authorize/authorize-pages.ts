import { html, loginFields, SafeHtml } from '@libs/platform';

/** What the login page shows and carries. */
export interface LoginPageView {
  applicationName: string;
  deviceName: string | null;
  /** Where the form posts: the browser-visible path of `POST /authorize/login`. */
  action: string;
  csrfToken: string;
  loginState: string;
  /** The email typed before, kept on a retry; the password never is. */
  email: string;
  error: string | null;
  styleNonce: string;
}

/** What an error page shows. */
export interface ErrorPageView {
  title: string;
  description: string;
  /** The OAuth `error` code or a short reason, for support requests. */
  code: string;
  styleNonce: string;
}

const STYLE = new SafeHtml(`
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
  font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f1f3f6;color:#1d2330}
main{width:100%;max-width:380px;margin:24px;padding:32px;background:#fff;border-radius:10px;
  box-shadow:0 2px 12px rgba(20,30,50,.12)}
h1{margin:0 0 4px;font-size:1.4rem}
p{margin:0 0 16px}
.muted{color:#5b6475}
.device{padding:8px 12px;background:#f1f3f6;border-radius:6px;font-size:.9rem;overflow-wrap:anywhere}
.error{padding:8px 12px;background:#fdecec;color:#9b1c1c;border-radius:6px}
.code{font:.8rem ui-monospace,monospace;color:#5b6475}
label{display:block;margin:12px 0 4px;font-weight:600;font-size:.9rem}
input{width:100%;padding:10px 12px;font:inherit;border:1px solid #c5cbd6;border-radius:6px}
input:focus{outline:2px solid #3a64d8;outline-offset:1px}
button{width:100%;margin-top:20px;padding:11px;font:inherit;font-weight:600;color:#fff;background:#3a64d8;
  border:0;border-radius:6px;cursor:pointer}
button:hover{background:#2f54bb}
strong{overflow-wrap:anywhere}
`);

function layout(title: string, styleNonce: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>${title}</title>
        <style nonce="${styleNonce}">
          ${STYLE}
        </style>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html> `.markup;
}

/**
 * The hosted login page: email and password, the application's and the device's names, every value
 * escaped. No script: the CSRF token and the sealed request travel as hidden fields.
 */
export function renderLoginPage(view: LoginPageView): string {
  return layout(
    `Log in | ${view.applicationName}`,
    view.styleNonce,
    html`<h1>Log in</h1>
      <p class="muted">to continue to <strong>${view.applicationName}</strong></p>
      ${view.deviceName ? html`<p class="device">Device: <strong>${view.deviceName}</strong></p>` : null}
      ${view.error ? html`<p class="error" role="alert">${view.error}</p>` : null}
      <form method="post" action="${view.action}">
        <input type="hidden" name="csrf_token" value="${view.csrfToken}" />
        <input type="hidden" name="login_state" value="${view.loginState}" />
        ${loginFields(view.email)}
        <button type="submit">Continue</button>
      </form>`,
  );
}

/** A page for errors that cannot go back to the application (RFC 6749 §4.1.2.1) or stop the login. */
export function renderErrorPage(view: ErrorPageView): string {
  return layout(
    view.title,
    view.styleNonce,
    html`<h1>${view.title}</h1>
      <p class="error" role="alert">${view.description}</p>
      <p class="code">${view.code}</p>`,
  );
}
