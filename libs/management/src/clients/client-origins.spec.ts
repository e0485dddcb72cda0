import {
  clientOriginProblem,
  matchesSubdomain,
  normalizeClientOrigin,
  originPattern,
} from './client-origins';

describe('client origins (web_origins, allowed_origins)', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://App.Example.COM:443/', 'https://app.example.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['https://*.example.com', 'https://*.example.com'],
    ['https://*.example.com:8443', 'https://*.example.com:8443'],
  ])('accepts %s, stored as %s', (value, stored) => {
    expect(clientOriginProblem(value)).toBeUndefined();
    expect(normalizeClientOrigin(value)).toBe(stored);
  });

  it.each([
    ['not a url', /not an origin/],
    ['app.example.com', /not an origin/],
    ['ftp://example.com', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['https://user:pw@example.com', /user info/],
    ['https://example.com/app', /path/],
    ['https://example.com?x=1', /query/],
    ['https://example.com#top', /fragment/],
    ['https://a.*.example.com', /leftmost label/],
    ['https://*.*.example.com', /leftmost label/],
    ['https://app*.example.com', /leftmost label/],
    ['https://*.com', /two labels/],
    // WHATWG URL parses a host whose last label is numeric as IPv4, so this is no URL at all.
    ['https://*.127.0.0.1', /not an origin/],
  ])('refuses %s', (value, reason) => {
    expect(clientOriginProblem(value)).toMatch(reason);
  });

  describe('issue 19 finding 12: wildcards over a public suffix or plain http', () => {
    it.each([
      ['https://*.co.uk', /public suffix/],
      ['https://*.github.io', /public suffix/],
      ['https://*.s3.amazonaws.com', /public suffix/],
      ['https://*.xn--55qx5d.cn', /public suffix/],
      ['http://*.example.com', /must use https/],
      ['http://*.example.com:8080', /must use https/],
    ])('refuses %s', (value, reason) => {
      expect(clientOriginProblem(value)).toMatch(reason);
    });

    it.each(['https://*.example.co.uk', 'https://*.my-site.github.io', 'https://*.corp.internal'])(
      'accepts %s (a registrable domain)',
      (value) => {
        expect(clientOriginProblem(value)).toBeUndefined();
      },
    );
  });

  describe('a subdomain pattern', () => {
    const pattern = originPattern('https://*.example.com');
    if (pattern.kind !== 'subdomain') throw new Error('expected a subdomain pattern');

    it.each(['https://app.example.com', 'https://a-1.example.com'])('matches %s', (origin) => {
      expect(matchesSubdomain(pattern, origin)).toBe(true);
    });

    it.each([
      'https://example.com',
      'https://a.b.example.com',
      'http://app.example.com',
      'https://app.example.com:8443',
      'https://appexample.com',
      'https://app.example.com.evil.net',
      'https://app.example.com/',
      'null',
    ])('does not match %s', (origin) => {
      expect(matchesSubdomain(pattern, origin)).toBe(false);
    });
  });

  it('compiles an origin without wildcard to an exact pattern', () => {
    expect(originPattern('http://localhost:3000')).toEqual({
      kind: 'exact',
      origin: 'http://localhost:3000',
    });
  });
});
