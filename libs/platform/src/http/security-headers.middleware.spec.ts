import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { securityHeaders, securityHeadersMiddleware } from './security-headers.middleware';

describe('security headers', () => {
  it('forbid sniffing, framing, referrers, caching and any loaded content by default', () => {
    expect(securityHeaders('http://127.0.0.1:3000')).toEqual({
      'Content-Security-Policy':
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
  });

  it('add Strict-Transport-Security only when the public URL is https', () => {
    expect(securityHeaders('http://auth.example.com')).not.toHaveProperty('Strict-Transport-Security');
    expect(securityHeaders('https://auth.example.com/tenant')).toMatchObject({
      'Strict-Transport-Security': 'max-age=31536000',
    });
  });

  it('are set on the response before the next handler, which may override them', () => {
    const req = new IncomingMessage(new Socket());
    const res = new ServerResponse(req);
    let seen: string | number | string[] | undefined;
    securityHeadersMiddleware('https://auth.example.com')(req, res, () => {
      seen = res.getHeader('x-content-type-options');
      res.setHeader('Cache-Control', 'public, max-age=300');
    });
    expect(seen).toBe('nosniff');
    expect(res.getHeader('strict-transport-security')).toBe('max-age=31536000');
    expect(res.getHeader('cache-control')).toBe('public, max-age=300');
  });

  it('let Swagger UI load its own script and styles, and nothing else', () => {
    const policyFor = (url: string) => {
      const req = new IncomingMessage(new Socket());
      req.url = url;
      const res = new ServerResponse(req);
      securityHeadersMiddleware('http://127.0.0.1:3000')(req, res, () => undefined);
      return String(res.getHeader('content-security-policy'));
    };
    expect(policyFor('/docs')).toMatch(/^default-src 'self'; .*frame-ancestors 'none'/);
    expect(policyFor('/docs/swagger-ui-bundle.js')).toMatch(/^default-src 'self'/);
    expect(policyFor('/docsearch')).toMatch(/^default-src 'none'/);
    expect(policyFor('/delegation?x=/docs')).toMatch(/^default-src 'none'/);
  });
});
