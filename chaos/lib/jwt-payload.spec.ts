import { jwtPayload } from './jwt-payload';

describe('jwtPayload', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('reads the claims of a compact JWS without verifying it', () => {
    const token = `${encode({ alg: 'ES256' })}.${encode({ jti: 'abc', sub: 'auth0|1' })}.sig`;
    expect(jwtPayload(token)).toEqual({ jti: 'abc', sub: 'auth0|1' });
  });

  it('refuses what is not a JWS with an object payload', () => {
    expect(() => jwtPayload('a.b')).toThrow(/not a compact JWS/);
    expect(() => jwtPayload(`x.${encode([1])}.y`)).toThrow(/not a JSON object/);
    expect(() => jwtPayload('x.%%%.y')).toThrow();
  });
});
