import { randomInt } from 'node:crypto';
import type { RefreshTokenPolicy } from '@libs/domain';
import type { IdTokenAlg } from '@libs/jwt';
import { randomToken } from '@libs/security';
import type { ManagementScope } from './management-scopes';

/** Auth0's application types. */
export const APP_TYPES = ['native', 'spa', 'regular_web', 'non_interactive'] as const;
/** One application type. */
export type AppType = (typeof APP_TYPES)[number];

/** The grant for /delegation (the legacy id_token refresh) and the jwt-bearer exchange. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** The grants a client may be allowed. */
export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'password',
  'client_credentials',
  JWT_BEARER_GRANT,
] as const;
/** One grant type. */
export type GrantType = (typeof GRANT_TYPES)[number];

/** How a client authenticates at the token endpoint; `none` marks a public client. */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['none', 'client_secret_post', 'client_secret_basic'] as const;
/** One token endpoint authentication method. */
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

/** An application registered on the tenant. */
export interface Client {
  clientId: string;
  name: string;
  description: string;
  appType: AppType;
  /** Allowed `redirect_uri` values, matched exactly. */
  callbacks: string[];
  /** Auth0's "Allowed Web Origins": page origins allowed to call from a browser (normalized, see client-origins.ts). */
  webOrigins: string[];
  /** Auth0's "Allowed Origins (CORS)": likewise. */
  allowedOrigins: string[];
  grantTypes: GrantType[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /**
   * The client secret's stored form (`ClientSecrets`): a keyed hash, or an scrypt hash stored before
   * issue 19 until it is hashed anew; `null` for a public client. Never leaves the service.
   */
  clientSecretHash: string | null;
  /**
   * The same secret sealed with AES-256-GCM (`SecretKeys.sealClientSecret`), for HS256 id_tokens; `null`
   * for a public client and for clients created before secrets were kept recoverable (until rotated).
   */
  clientSecretCipher?: string | null;
  /** `exp - iat` of the id_tokens issued to this client (Auth0's "JWT Expiration"). */
  idTokenLifetimeSeconds: number;
  /** HS256: signed with the client's own secret (confidential clients only). */
  idTokenAlg: IdTokenAlg;
  /** Management API scopes granted for the client_credentials grant. */
  managementScopes: ManagementScope[];
  /**
   * Auth0's `refresh_token` object: how the refresh tokens issued to this client from now on rotate and
   * expire. Always whole: the legacy defaults (`LEGACY_REFRESH_TOKEN_POLICY`) for a client that never set one.
   */
  refreshToken: RefreshTokenPolicy;
  /**
   * Auth0's `allowed_clients`: the other clients that may obtain delegation tokens for this one as their
   * `target` at `/delegation`. Absent or empty: none (a client may always target itself). Auth0 reads an
   * empty list as "every client of the tenant"; this service does not (issue 19 finding 10).
   */
  allowedClients?: string[];
  /** Auth0's `require_proof_of_possession`: token requests need a DPoP proof (RFC 9449); absent: false. */
  requireProofOfPossession?: boolean;
  createdAt: Date;
}

/** A client about to be stored: everything but the timestamps the database sets. */
export type NewClient = Omit<Client, 'createdAt'>;

/**
 * Whether the client gets Auth0's legacy (pre-OIDC-conformant) behaviour where the two differ: today the
 * id_token claims of legacy attribute scopes (`idTokenClaims`). No `oidc_conformant` flag exists yet, so
 * a client that signs its id_tokens with HS256 — Auth0's legacy default, which OIDC-conformant SDKs do
 * not verify — is the legacy one; the flag replaces this test when it comes (issue 20 point 1).
 */
export function isLegacyClient(client: Pick<Client, 'idTokenAlg'>): boolean {
  return client.idTokenAlg === 'HS256';
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Auth0-style client ids: 32 alphanumeric characters. */
export const CLIENT_ID = /^[A-Za-z0-9]{32}$/;

/** A new client id: 32 characters drawn uniformly from [A-Za-z0-9] with the CSPRNG (~190 bits). */
export function newClientId(): string {
  let id = '';
  for (let i = 0; i < 32; i++) id += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return id;
}

/** A new client secret: 48 random bytes (384 bits), base64url — 64 characters like Auth0's. */
export function newClientSecret(): string {
  return randomToken(48);
}
