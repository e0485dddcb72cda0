import { expect } from '@jest/globals';

/**
 * What a browser does at /authorize: opens the login page, keeps its CSRF cookie, submits the form.
 * Returns the redirect's `Location` (the callback with `code` and `state`, or an error).
 */
export async function browserLogin(
  url: string,
  query: URLSearchParams,
  credentials: { email: string; password: string },
): Promise<URL> {
  const page = await fetch(`${url}/authorize?${query}`, { redirect: 'manual' });
  expect(page.status).toBe(200);
  const html = await page.text();
  const [cookie] = page.headers.getSetCookie();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)![1];
  const res = await fetch(`${url}/authorize/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie.split(';')[0] },
    body: new URLSearchParams({
      csrf_token: field('csrf_token'),
      login_state: field('login_state'),
      email: credentials.email,
      password: credentials.password,
    }),
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}
