import { isLegacyClient, type Client } from '@libs/tenants';

/** The scopes this tenant grants (OIDC Core §5.4 and §11). */
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

// RFC 6749 §3.3 scope-token, bounded: a legacy client's scope may name any profile attribute or
// metadata key (Auth0's legacy attribute scopes, see `idTokenClaims`).
const LEGACY_ATTRIBUTE_SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/** The longest `device` accepted, in characters (Auth0's `device_name` bound). */
export const DEVICE_MAX_LENGTH = 255;

/** Auth0's description when `offline_access` comes without the device it would be bound to. */
export const DEVICE_REQUIRED_DESCRIPTION = 'The device parameter is required when requesting offline_access.';

/** The `error` codes /authorize sends back to the client (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
export type AuthorizeErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'login_required';

/** Query parameters as Express hands them over: absent, a string, or an array/object when repeated. */
export type AuthorizeQuery = Readonly<Record<string, unknown>>;

/** An accepted /authorize request: what the login form carries and the code is issued for. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  /** Space-separated, known scopes only, duplicates removed; empty when none was asked for. */
  scope: string;
  state: string | null;
  nonce: string | null;
  device: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
}

/** What /authorize does with a request: show an error page, redirect an error, or show the login page. */
export type AuthorizeOutcome =
  | { kind: 'error-page'; description: string }
  | {
      kind: 'error-redirect';
      redirectUri: string;
      state: string | null;
      error: AuthorizeErrorCode;
      description: string;
    }
  | { kind: 'login'; client: Client; request: AuthorizeRequest };

// RFC 6749 §3.1: request parameters must not be included more than once.
const SINGLE_VALUED = [
  'response_type',
  'response_mode',
  'scope',
  'state',
  'nonce',
  'device',
  'code_challenge',
  'code_challenge_method',
  'prompt',
] as const;

/** The longest value accepted for any parameter; a longer one cannot be a value we would echo or store. */
export const MAX_PARAM_LENGTH = 4_096;

// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

// Schemes a user agent would execute or read locally; a code must never be handed to them.
const UNSAFE_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:']);

const isRepeated = (query: AuthorizeQuery, name: string): boolean =>
  query[name] !== undefined && typeof query[name] !== 'string';

// RFC 6749 §3.1: a parameter sent without a value is treated as if it were omitted.
const text = (query: AuthorizeQuery, name: string): string | null => {
  const value = query[name];
  return typeof value === 'string' && value !== '' ? value : null;
};

/** Whether a registered callback can receive a code: absolute, no fragment (RFC 6749 §3.1.2), safe scheme. */
export function isUsableRedirectUri(redirectUri: string): boolean {
  try {
    const url = new URL(redirectUri);
    return !redirectUri.includes('#') && !UNSAFE_SCHEMES.has(url.protocol);
  } catch {
    return false;
  }
}

/**
 * Decides what GET /authorize does, in RFC 6749 §4.1.2.1's order: until the client and its exact
 * redirect_uri are known, errors are shown on a page (redirecting would make this an open redirector);
 * after that they go back to the client with `state`. `client` is the lookup of the query's `client_id`.
 *
 * @example
 * const outcome = validateAuthorizeRequest(req.query, await clients.findById(clientId));
 * if (outcome.kind === 'login') showLoginPage(outcome.request);
 */
export function validateAuthorizeRequest(query: AuthorizeQuery, client: Client | null): AuthorizeOutcome {
  const page = (description: string): AuthorizeOutcome => ({ kind: 'error-page', description });
  for (const name of ['client_id', 'redirect_uri']) {
    if (isRepeated(query, name)) return page(`The ${name} parameter must not be repeated.`);
  }
  const clientId = text(query, 'client_id');
  if (!clientId) return page('Missing required parameter: client_id');
  if (!client || client.clientId !== clientId) {
    return page('Unknown client: the client_id does not name a registered application.');
  }
  const redirectUri = text(query, 'redirect_uri');
  if (!redirectUri) return page('Missing required parameter: redirect_uri');
  // RFC 6749 §3.1.2.3 and RFC 9700 §4.1.3: exact string comparison, no prefix or pattern matching.
  if (!client.callbacks.includes(redirectUri)) {
    return page(
      'Callback URL mismatch: the redirect_uri is not one of the allowed callback URLs of the application.',
    );
  }
  if (!isUsableRedirectUri(redirectUri)) {
    return page('The callback URL of the application cannot receive an authorization response.');
  }

  const givenState = isRepeated(query, 'state') ? null : text(query, 'state');
  const state = givenState && givenState.length <= MAX_PARAM_LENGTH ? givenState : null;
  const redirect = (error: AuthorizeErrorCode, description: string): AuthorizeOutcome => ({
    kind: 'error-redirect',
    redirectUri,
    state,
    error,
    description,
  });

  const repeated = SINGLE_VALUED.find((name) => isRepeated(query, name));
  if (repeated) return redirect('invalid_request', `The ${repeated} parameter must not be repeated.`);
  const tooLong = SINGLE_VALUED.find((name) => (text(query, name)?.length ?? 0) > MAX_PARAM_LENGTH);
  if (tooLong) return redirect('invalid_request', `The ${tooLong} parameter is too long.`);
  // The device and nonce are stored with the code, and PostgreSQL text cannot hold NUL.
  const withNul = SINGLE_VALUED.find((name) => text(query, name)?.includes('\u0000'));
  if (withNul)
    return redirect('invalid_request', `The ${withNul} parameter must not contain NUL characters.`);

  const responseType = text(query, 'response_type');
  if (!responseType) return redirect('invalid_request', 'Missing required parameter: response_type');
  if (responseType !== 'code') {
    return redirect('unsupported_response_type', `Unsupported response type: ${responseType}`);
  }
  if (client.appType === 'non_interactive') {
    return redirect(
      'unauthorized_client',
      'Non-interactive (machine to machine) applications cannot use /authorize.',
    );
  }
  if (!client.grantTypes.includes('authorization_code')) {
    return redirect('unauthorized_client', 'The application is not allowed the authorization_code grant.');
  }
  const responseMode = text(query, 'response_mode');
  if (responseMode && responseMode !== 'query') {
    return redirect(
      'invalid_request',
      `Unsupported response_mode: ${responseMode}. Only query is supported.`,
    );
  }

  const scopes = [...new Set((text(query, 'scope') ?? '').split(' ').filter(Boolean))];
  const legacy = isLegacyClient(client);
  const unknown = scopes.filter(
    (s) =>
      !(SUPPORTED_SCOPES as readonly string[]).includes(s) && !(legacy && LEGACY_ATTRIBUTE_SCOPE.test(s)),
  );
  if (unknown.length > 0) return redirect('invalid_scope', `Unsupported scope: ${unknown.join(' ')}`);

  const device = text(query, 'device');
  if (device && [...device].length > DEVICE_MAX_LENGTH) {
    return redirect(
      'invalid_request',
      `The device parameter must be at most ${DEVICE_MAX_LENGTH} characters.`,
    );
  }
  // A refresh token belongs to one (client, user, device); without a device it could not be listed or revoked.
  if (scopes.includes('offline_access') && !device) {
    return redirect('invalid_request', DEVICE_REQUIRED_DESCRIPTION);
  }

  const codeChallenge = text(query, 'code_challenge');
  const method = text(query, 'code_challenge_method');
  if (method && method !== 'S256') {
    return redirect(
      'invalid_request',
      `Unsupported code_challenge_method: ${method}. Only S256 is supported.`,
    );
  }
  if (codeChallenge && !method) {
    // RFC 7636 §4.3: an absent method means `plain`, which this tenant refuses (RFC 9700 §2.1.1).
    return redirect('invalid_request', 'Missing code_challenge_method: only S256 is supported.');
  }
  if (method && !codeChallenge)
    return redirect('invalid_request', 'Missing required parameter: code_challenge');
  if (codeChallenge && !S256_CHALLENGE.test(codeChallenge)) {
    return redirect('invalid_request', 'Invalid code_challenge: S256 expects 43 base64url characters.');
  }
  // RFC 7636 §4.4.1 and RFC 9700 §2.1.1: a public client cannot authenticate its code exchange, so PKCE
  // is what keeps an intercepted code useless.
  if (!codeChallenge && client.tokenEndpointAuthMethod === 'none') {
    return redirect(
      'invalid_request',
      'PKCE is required for public clients: send code_challenge with code_challenge_method=S256.',
    );
  }

  // OIDC Core §3.1.2.1: `none` with any other value is an error; alone it needs a session, which this
  // tenant does not keep, so the user would have to log in.
  const prompt = (text(query, 'prompt') ?? '').split(' ').filter(Boolean);
  if (prompt.includes('none')) {
    return prompt.length > 1
      ? redirect('invalid_request', 'The prompt value none must not be combined with other values.')
      : redirect('login_required', 'Login required');
  }

  return {
    kind: 'login',
    client,
    request: {
      clientId,
      redirectUri,
      scope: scopes.join(' '),
      state,
      nonce: text(query, 'nonce'),
      device,
      codeChallenge,
      codeChallengeMethod: codeChallenge ? 'S256' : null,
    },
  };
}

/** The query that reproduces an accepted request, to check it again when the login form comes back. */
export function queryOf(request: AuthorizeRequest): AuthorizeQuery {
  const entries: [string, string | null][] = [
    ['response_type', 'code'],
    ['client_id', request.clientId],
    ['redirect_uri', request.redirectUri],
    ['scope', request.scope],
    ['state', request.state],
    ['nonce', request.nonce],
    ['device', request.device],
    ['code_challenge', request.codeChallenge],
    ['code_challenge_method', request.codeChallengeMethod],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== null && value !== ''));
}
