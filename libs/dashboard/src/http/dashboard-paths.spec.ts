import { dashboardCookies, readCookie } from './dashboard-cookies';
import { DashboardPaths } from './dashboard-paths';

describe('DashboardPaths', () => {
  it('builds every URL under PUBLIC_URL’s path, encoding user ids and queries', () => {
    const paths = new DashboardPaths('https://auth.example.com/tenant-a');
    expect(paths.base).toBe('/tenant-a/dashboard');
    expect(paths.login).toBe('/tenant-a/dashboard/login');
    expect(paths.origin).toBe('https://auth.example.com');
    expect(paths.tenantName).toBe('auth.example.com');
    expect(paths.user('auth0|abc')).toBe('/tenant-a/dashboard/users/auth0%7Cabc');
    expect(paths.users()).toBe('/tenant-a/dashboard/users');
    expect(paths.users({ q: 'a&b c', page: 2 })).toBe('/tenant-a/dashboard/users?q=a%26b+c&page=2');
    expect(paths.users({ q: '', page: 1 })).toBe('/tenant-a/dashboard/users');
    expect(paths.unlink('auth0|abc', { clientId: 'c1', deviceName: 'Ann’s "Pixel" & co' })).toBe(
      '/tenant-a/dashboard/users/auth0%7Cabc/devices/unlink?client_id=c1&device=Ann%E2%80%99s+%22Pixel%22+%26+co',
    );
  });

  it('gives HttpOnly, SameSite=Strict cookies on the dashboard path, Secure and prefixed only over https', () => {
    const http = dashboardCookies(new DashboardPaths('http://127.0.0.1:3000'));
    expect(http.session.name).toBe('dashboard_session');
    expect(http.session.options).toMatchObject({
      httpOnly: true,
      sameSite: 'strict',
      secure: false,
      path: '/dashboard',
      maxAge: 8 * 3600 * 1000,
    });
    const https = dashboardCookies(new DashboardPaths('https://auth.example.com'));
    expect(https.session.name).toBe('__Secure-dashboard_session');
    expect(https.loginForm.name).toBe('__Secure-dashboard_login');
    expect(https.session.options.secure).toBe(true);
  });

  it('reads one cookie out of a Cookie header', () => {
    expect(readCookie('a=1; dashboard_session=xyz; b=2', 'dashboard_session')).toBe('xyz');
    expect(readCookie('x_dashboard_session=no', 'dashboard_session')).toBeNull();
    expect(readCookie(undefined, 'dashboard_session')).toBeNull();
    expect(readCookie('dashboard_session=%E0%A4%A', 'dashboard_session')).toBeNull();
  });
});
