import { renderErrorPage, renderLoginPage, type LoginPageView } from './authorize-pages';
import { escapeHtml, html, SafeHtml } from '@libs/platform';

const ATTACK = `<script>alert("x")</script>' onmouseover='x' &amp;`;

const loginView = (overrides: Partial<LoginPageView> = {}): LoginPageView => ({
  applicationName: 'App',
  deviceName: null,
  action: '/authorize/login',
  csrfToken: 'csrf-token',
  loginState: 'v1.payload.tag',
  email: '',
  error: null,
  styleNonce: 'nonce123',
  ...overrides,
});

describe('HTML escaping', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(escapeHtml('plain text é 📱')).toBe('plain text é 📱');
  });

  it('escapes every interpolated value of the html tag, except SafeHtml, and drops null and false', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(
      html`<p title="${'"x"'}">${'<x>'}${inner}${null}${undefined}${false}${['<a>', 1]}</p>`.markup,
    ).toBe('<p title="&quot;x&quot;">&lt;x&gt;<b>&lt;i&gt;</b>&lt;a&gt;1</p>');
    expect(html`${new SafeHtml('<br>')}`.markup).toBe('<br>');
  });

  it('leaves no markup from the application name, device, email or error on the login page', () => {
    const page = renderLoginPage(
      loginView({
        applicationName: ATTACK,
        deviceName: ATTACK,
        email: ATTACK,
        error: ATTACK,
        loginState: ATTACK,
      }),
    );
    expect(page).not.toContain('<script>');
    expect(page).not.toContain(`' onmouseover='`);
    expect(page).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &amp;amp;',
    );
    expect(page.match(/<script/gi)).toBeNull();
  });

  it('renders the login form: email, password, hidden CSRF fields, posting to the action', () => {
    const page = renderLoginPage(loginView({ deviceName: 'Pixel 9', error: 'Wrong email or password.' }));
    expect(page).toContain('<form method="post" action="/authorize/login">');
    expect(page).toContain('<input type="hidden" name="csrf_token" value="csrf-token" />');
    expect(page).toContain('<input type="hidden" name="login_state" value="v1.payload.tag" />');
    expect(page).toMatch(/<input\s+id="email"\s+name="email"\s+type="email"/);
    expect(page).toMatch(/<input\s+id="password"\s+name="password"\s+type="password"/);
    expect(page).toContain('Device: <strong>Pixel 9</strong>');
    expect(page).toContain('Wrong email or password.');
    expect(page).toContain('<style nonce="nonce123">');
    expect(page).toContain('font:16px/1.5 system-ui,-apple-system,"Segoe UI"');
  });

  it('loads nothing from elsewhere and needs no script', () => {
    const page = renderLoginPage(loginView());
    expect(page).not.toMatch(/<script|<link|<img|src=|https?:\/\//i);
  });

  it('escapes the error page too', () => {
    const page = renderErrorPage({ title: ATTACK, description: ATTACK, code: ATTACK, styleNonce: 'n' });
    expect(page).not.toContain('<script>');
    expect(page).toContain('<title>&lt;script&gt;');
  });
});
