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
  if (page.status !== 200) throw new Error(`the login page answered ${page.status}`);
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
  if (res.status !== 302) throw new Error(`the login answered ${res.status}, not a redirect`);
  return new URL(res.headers.get('location')!);
}
