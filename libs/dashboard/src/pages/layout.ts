import { html, SafeHtml } from '@libs/platform';

/** What every signed-in page's header bar shows and posts. */
export interface Chrome {
  tenantName: string;
  adminEmail: string;
  usersUrl: string;
  logoutAction: string;
  csrfToken: string;
}

// One inline style sheet: the CSP allows inline styles and nothing else to load.
const STYLE = new SafeHtml(`
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",sans-serif;
  background:#f4f5f7;color:#1c2230}
a{color:#2f5bd3;text-decoration:none}
a:hover{text-decoration:underline}
.bar{display:flex;align-items:center;gap:24px;height:56px;padding:0 28px;background:#1c2433;color:#e8ecf3}
.brand{display:flex;align-items:center;gap:10px;font-weight:600;white-space:nowrap}
.brand .mark{display:inline-grid;place-items:center;width:26px;height:26px;border-radius:6px;
  background:#3a64d8;color:#fff;font-size:13px}
.brand .sub{font-weight:400;color:#9aa6bb}
.bar nav a{color:#c9d2e3;font-weight:500}
.bar nav a:hover{color:#fff;text-decoration:none}
.bar .who{margin-left:auto;display:flex;align-items:center;gap:14px;color:#9aa6bb;font-size:14px}
.bar .who form{margin:0}
.linkish{padding:5px 12px;font:inherit;font-size:13px;color:#e8ecf3;background:transparent;
  border:1px solid #3a4558;border-radius:6px;cursor:pointer}
.linkish:hover{background:#2a3447}
main{max-width:1080px;margin:0 auto;padding:28px}
h1{margin:0 0 4px;font-size:1.5rem;font-weight:650;letter-spacing:-.01em}
h2{margin:0 0 12px;font-size:1.05rem}
.muted{color:#5f6b80}
.crumbs{margin:0 0 10px;font-size:14px;color:#5f6b80}
.card{background:#fff;border:1px solid #e1e5eb;border-radius:10px;box-shadow:0 1px 2px rgba(20,30,50,.04)}
.pad{padding:20px 24px}
.toolbar{display:flex;align-items:center;justify-content:space-between;gap:16px;margin:18px 0 14px}
.search{display:flex;gap:8px}
input[type=search],input[type=email],input[type=password]{padding:8px 12px;font:inherit;
  border:1px solid #c8ced9;border-radius:6px;background:#fff;color:inherit}
input[type=search]{width:320px}
input:focus{outline:2px solid #3a64d8;outline-offset:1px}
.btn{display:inline-block;padding:8px 16px;font:inherit;font-weight:600;line-height:1.5;color:#fff;
  background:#3a64d8;border:1px solid #3a64d8;border-radius:6px;cursor:pointer}
.btn:hover{background:#2f54bb;text-decoration:none}
.btn.secondary{color:#1c2230;background:#fff;border-color:#c8ced9}
.btn.secondary:hover{background:#f1f3f6}
.btn.danger{background:#c42b1c;border-color:#c42b1c}
.btn.danger:hover{background:#a82315}
table{width:100%;border-collapse:collapse}
th,td{padding:11px 16px;text-align:left;vertical-align:middle;border-bottom:1px solid #eceff3}
th{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:#5f6b80;
  background:#fafbfc}
thead th:first-child{border-top-left-radius:10px}
thead th:last-child{border-top-right-radius:10px}
tbody tr:last-child td{border-bottom:0}
tbody tr:hover td{background:#fafbfd}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums;color:#3b4557}
.mono{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#5f6b80}
.empty{padding:28px;text-align:center;color:#5f6b80}
.badge{display:inline-block;margin-left:6px;padding:1px 8px;font-size:12px;font-weight:600;border-radius:999px;
  background:#fde8e6;color:#a82315}
.pager{display:flex;align-items:center;justify-content:space-between;margin-top:12px;font-size:14px}
.pager .links{display:flex;gap:8px}
.x{display:inline-grid;place-items:center;width:30px;height:30px;font-size:15px;font-weight:700;line-height:1;
  color:#c42b1c;background:#fdecea;border:1px solid #f3b8b0;border-radius:6px}
.x:hover{color:#fff;background:#c42b1c;border-color:#c42b1c;text-decoration:none}
.flash{margin:0 0 16px;padding:10px 14px;border-radius:8px;background:#e7f6ec;border:1px solid #b9e3c6;
  color:#17603a}
.error{margin:0 0 16px;padding:10px 14px;border-radius:8px;background:#fdecea;border:1px solid #f5c6c0;
  color:#9b1c1c}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:14px 24px;margin:0}
dl.facts dt{font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em;color:#5f6b80}
dl.facts dd{margin:2px 0 0;overflow-wrap:anywhere}
dl.facts dd.mono{padding-top:3px;color:inherit}
.card h1 + p.muted{margin:0 0 16px}
.tabs{display:flex;gap:4px;margin:26px 0 14px;border-bottom:1px solid #dde1e8}
.tabs span{padding:8px 14px;margin-bottom:-1px;font-weight:600;color:#2f5bd3;border-bottom:2px solid #3a64d8}
.tabs .count{display:inline-block;margin-left:6px;padding:0 7px;font-size:12px;line-height:18px;
  vertical-align:1px;border-radius:999px;background:#e6ecfb}
.center{min-height:calc(100vh - 56px);display:flex;align-items:center;justify-content:center;padding:24px}
.narrow{width:100%;max-width:460px}
.narrow h1{margin-bottom:12px}
.confirm{max-width:520px;margin:40px auto}
.narrow p{margin:0 0 16px}
.actions{display:flex;gap:10px;margin-top:20px}
.actions form{margin:0}
label{display:block;margin:14px 0 4px;font-weight:600;font-size:14px}
.narrow input{width:100%}
.narrow .btn.wide{width:100%;margin-top:22px}
strong,td{overflow-wrap:anywhere}
`);

function htmlDocument(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <link rel="icon" href="data:," />
        <title>${title}</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        ${body}
      </body>
    </html> `.markup;
}

/** A signed-in page: the header bar (tenant, Users, who is logged in, Log out) above `content`. */
export function signedInPage(title: string, chrome: Chrome, content: SafeHtml): string {
  return htmlDocument(
    `${title} · ${chrome.tenantName}`,
    html`<header class="bar">
        <div class="brand">
          <span class="mark" aria-hidden="true">◆</span>${chrome.tenantName}<span class="sub">Dashboard</span>
        </div>
        <nav><a href="${chrome.usersUrl}">Users</a></nav>
        <div class="who">
          <span>${chrome.adminEmail}</span>
          <form method="post" action="${chrome.logoutAction}">
            <input type="hidden" name="csrf_token" value="${chrome.csrfToken}" />
            <button class="linkish" type="submit">Log out</button>
          </form>
        </div>
      </header>
      <main>${content}</main>`,
  );
}

/** A page outside the session (login, errors): a centred card under a bar with the tenant's name only. */
export function standalonePage(title: string, tenantName: string, content: SafeHtml): string {
  return htmlDocument(
    `${title} · ${tenantName}`,
    html`<header class="bar">
        <div class="brand">
          <span class="mark" aria-hidden="true">◆</span>${tenantName}<span class="sub">Dashboard</span>
        </div>
      </header>
      <div class="center"><section class="card pad narrow">${content}</section></div>`,
  );
}
