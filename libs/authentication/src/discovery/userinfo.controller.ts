import { Controller, Get, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { JWTPayload } from 'jose';
import { AppConfig } from '@libs/config';
import { DPOP_SIGNING_ALGS, DpopError, DpopProofVerifier } from '@libs/security';
import { idTokenClaims } from '@libs/tenants';
import { API_TAGS, OAuthError } from '@libs/platform';
import { UserAccessTokenVerifier } from '../token/user-access-token.verifier';
import { ApiUserinfo } from './discovery.openapi';

type Scheme = 'Bearer' | 'DPoP';

/**
 * OIDC Core §5.3: the user's claims for an access token issued by this tenant, by its scope. A token
 * bound to a refresh token (`CREDENTIAL_CLAIM`) is refused once that is revoked or past its lifetimes —
 * checked on the view and the events it has not applied, as the exchange does (DESIGN guarantee 1) — and
 * so is a blocked or deleted user's: `UserAccessTokenVerifier` decides, as it does for introspection.
 *
 * A DPoP-bound token (`cnf.jkt`) is accepted only as `Authorization: DPoP <token>` with a proof of its key
 * for this request (RFC 9449 §7.1: `htm`, `htu`, `ath`, a `jti` used once, the server's nonce when
 * `DPOP_NONCE_REQUIRED`); as `Bearer`, without a proof or with another key's, it is refused with a `DPoP`
 * challenge (issue 19 finding 8).
 */
@ApiTags(API_TAGS.authentication)
@Controller('userinfo')
export class UserinfoController {
  constructor(
    private readonly accessTokens: UserAccessTokenVerifier,
    private readonly dpop: DpopProofVerifier,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiUserinfo()
  async userinfo(@Req() req: Request) {
    const presented = presentedToken(req.headers.authorization);
    if (!presented) throw invalidToken('Bearer', 'Missing access token.');
    const inForce = await this.accessTokens.inForce(presented.token);
    if (!inForce) throw invalidToken(presented.scheme, 'Invalid access token.');
    await this.checkBinding(req, presented.scheme, presented.token, inForce.claims);
    const { user, claims: payload } = inForce;
    const { sub, ...claims } = idTokenClaims(user, String(payload.scope ?? ''), { aud: '', azp: '' });
    delete claims.aud;
    delete claims.azp;
    delete claims.scope;
    return { sub, ...claims };
  }

  /** RFC 9449 §7.1: a bound token comes under the DPoP scheme with a proof by its key; a bearer one does not. */
  private async checkBinding(req: Request, scheme: Scheme, token: string, claims: JWTPayload) {
    const jkt = jktOf(claims);
    if (jkt === undefined) {
      if (scheme === 'DPoP') throw invalidToken('DPoP', 'The access token is not DPoP-bound.');
      return;
    }
    if (scheme === 'Bearer') {
      throw invalidToken(
        'DPoP',
        'The access token is DPoP-bound: present it with the DPoP scheme and a proof.',
      );
    }
    let proven: string;
    try {
      const url = `${this.config.publicUrl}/userinfo`;
      const { jkt: proofKey } = await this.dpop.verify(
        req.headersDistinct.dpop,
        { method: req.method, url, accessToken: token },
        { nonceRequired: this.config.dpopNonceRequired },
      );
      proven = proofKey;
    } catch (error) {
      // A proof that cannot be checked now (503) stays an outage; the proof's own faults are a challenge.
      if (error instanceof DpopError && error.status === 400) {
        throw challenge(error.error, error.message, error.headers);
      }
      throw error;
    }
    if (proven !== jkt) {
      throw invalidToken('DPoP', 'The DPoP proof is not signed by the key the access token is bound to.');
    }
  }
}

/** The token of `Authorization: Bearer <token>` or `DPoP <token>` (schemes are case-insensitive, RFC 9110 §11.1). */
function presentedToken(header: string | undefined): { scheme: Scheme; token: string } | null {
  const match = /^(Bearer|DPoP) +([^\s,]+) *$/i.exec(header ?? '');
  if (!match) return null;
  return { scheme: match[1].toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer', token: match[2] };
}

function jktOf(claims: JWTPayload): string | undefined {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
}

// RFC 6750 §3: a bad bearer token is a 401 with a WWW-Authenticate challenge; RFC 9449 §7.1 the same
// under the DPoP scheme, naming the proof algorithms accepted.
const invalidToken = (scheme: Scheme, description: string) =>
  scheme === 'Bearer'
    ? new OAuthError(401, 'invalid_token', description, {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"`,
      })
    : challenge('invalid_token', description);

function challenge(error: string, description: string, headers: Readonly<Record<string, string>> = {}) {
  const escaped = description.replace(/["\\]/g, '\\$&');
  return new OAuthError(401, error, description, {
    ...headers,
    'WWW-Authenticate': `DPoP error="${error}", error_description="${escaped}", algs="${DPOP_SIGNING_ALGS.join(' ')}"`,
  });
}
