/**
 * The claims of a compact JWS, unverified: the chaos traffic only needs the `jti` and `sub` the service
 * put there, and verifying each of ~100,000 signatures would cost the load generator more CPU than the
 * service spends signing them.
 */
export function jwtPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new Error('the JWS payload is not a JSON object');
  }
  return payload as Record<string, unknown>;
}
