import { API_TAGS, type OpenApiSection } from '@libs/platform';

/** Security scheme of confidential clients authenticating with HTTP Basic (RFC 6749 §2.3.1). */
export const CLIENT_SECRET_BASIC = 'client_secret_basic';
/** The login form's CSRF cookie, documented as a cookie "scheme" so clients see they must send it. */
export const AUTHORIZE_CSRF_COOKIE = 'authorize_csrf';
/** Security scheme of the access tokens `/oauth/token` issues for `/userinfo`. */
export const USER_ACCESS_TOKEN = 'access_token';

/** The Authentication API's part of the document. */
export const AUTHENTICATION_OPENAPI: OpenApiSection = {
  tags: [
    {
      name: API_TAGS.authentication,
      description:
        'Authorization code flow with PKCE and the hosted login page, the token endpoint (one grant per ' +
        '`grant_type`), revocation, introspection, OpenID Connect discovery, JWKS and userinfo.',
    },
  ],
  securitySchemes: () => ({
    [CLIENT_SECRET_BASIC]: {
      type: 'http',
      scheme: 'basic',
      description:
        'Confidential clients: `client_id:client_secret`, each form-urlencoded (RFC 6749 §2.3.1). The ' +
        'alternative is `client_id` + `client_secret` in the body (`client_secret_post`); public clients ' +
        'send `client_id` alone. One method per request.',
    },
    [AUTHORIZE_CSRF_COOKIE]: {
      type: 'apiKey',
      in: 'cookie',
      name: 'authorize_csrf',
      description:
        'Not a credential: the CSRF double-submit cookie `GET /authorize` sets (`__Secure-authorize_csrf` ' +
        'over https); the login form’s `csrf_token` must equal it.',
    },
    [USER_ACCESS_TOKEN]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT (at+jwt)',
      description: 'An access token from `/oauth/token` (audience `<PUBLIC_URL>/userinfo`).',
    },
  }),
};
