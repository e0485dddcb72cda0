import {
  clientCorsHeaders,
  corsRouteKind,
  isPreflight,
  namedClientId,
  publicCorsHeaders,
} from './cors-policy';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('CORS policy', () => {
  it('treats /.well-known/* as public and the rest as client routes', () => {
    expect(corsRouteKind('/.well-known/openid-configuration')).toBe('public');
    expect(corsRouteKind('/.well-known/jwks.json?x=1')).toBe('public');
    expect(corsRouteKind('/delegation?cbx=__auth0jp0')).toBe('client');
    expect(corsRouteKind('/oauth/token')).toBe('client');
  });

  it('recognises a preflight by OPTIONS plus Access-Control-Request-Method', () => {
    expect(isPreflight('OPTIONS', { 'access-control-request-method': 'POST' })).toBe(true);
    expect(isPreflight('OPTIONS', {})).toBe(false);
    expect(isPreflight('POST', { 'access-control-request-method': 'POST' })).toBe(false);
  });

  it('lets any origin read a public route, without credentials', () => {
    expect(publicCorsHeaders(false)).toEqual({ 'Access-Control-Allow-Origin': '*' });
    expect(publicCorsHeaders(true)).toMatchObject({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET',
      'Access-Control-Max-Age': '7200',
    });
  });

  it('echoes the exact origin on a client route, never * nor credentials', () => {
    const origin = 'https://app.example.com';
    for (const headers of [clientCorsHeaders(origin, true), clientCorsHeaders(origin, false)]) {
      expect(headers['Access-Control-Allow-Origin']).toBe(origin);
      expect(headers).not.toHaveProperty('Access-Control-Allow-Credentials');
    }
    expect(clientCorsHeaders(origin, true)).toMatchObject({
      'Access-Control-Allow-Methods': 'GET, POST',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Auth0-Client, DPoP',
      'Access-Control-Max-Age': '7200',
    });
    expect(clientCorsHeaders(origin, false)['Access-Control-Expose-Headers']).toMatch(
      /X-RateLimit-Remaining/,
    );
  });

  describe('the client a request names', () => {
    it('is client_id of the body, then of the query, then the Basic user', () => {
      expect(namedClientId({ body: { client_id: 'body' }, query: { client_id: 'query' }, headers: {} })).toBe(
        'body',
      );
      expect(namedClientId({ body: {}, query: { client_id: 'query' }, headers: {} })).toBe('query');
      expect(namedClientId({ headers: { authorization: basic('basic id', 's:ecret') } })).toBe('basic id');
    });

    it.each([
      ['no client at all', { headers: {} }],
      ['a bearer token', { headers: { authorization: 'Bearer abc' } }],
      ['a repeated client_id', { query: { client_id: ['a', 'b'] }, headers: {} }],
      ['an empty client_id', { body: { client_id: '' }, headers: {} }],
      ['a body that is an array', { body: [{ client_id: 'x' }], headers: {} }],
      ['malformed Basic credentials', { headers: { authorization: 'Basic bm9jb2xvbg==' } }],
    ])('is none for %s', (_case, req) => {
      expect(namedClientId(req)).toBeUndefined();
    });
  });
});
