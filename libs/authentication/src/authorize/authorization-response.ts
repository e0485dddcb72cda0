/**
 * The client's redirect_uri with response parameters appended; the callback's own query is kept as it is
 * (RFC 6749 §3.1.2), and private-use schemes of native apps work too (RFC 8252 §7.1).
 *
 * @example
 * redirectTo('com.example.app://callback', { code, state }); // 'com.example.app://callback?code=…&state=…'
 */
export function redirectTo(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  const added = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null) added.append(name, value);
  url.search = url.search ? `${url.search}&${added}` : `?${added}`;
  return url.toString();
}
