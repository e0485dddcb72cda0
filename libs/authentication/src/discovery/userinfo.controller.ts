import { Controller, Get, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { idTokenClaims } from '@libs/tenants';
import { API_TAGS, OAuthError } from '@libs/platform';
import { UserAccessTokenVerifier } from '../token/user-access-token.verifier';
import { ApiUserinfo } from './discovery.openapi';

/**
 * OIDC Core §5.3: the user's claims for an access token issued by this tenant, by its scope. A token
 * bound to a refresh token (`CREDENTIAL_CLAIM`) is refused once that is revoked — checked on the view and
 * the events it has not applied, as the exchange does (DESIGN guarantee 1) — and so is a blocked or
 * deleted user's: `UserAccessTokenVerifier` decides, as it does for introspection.
 */
@ApiTags(API_TAGS.authentication)
@Controller('userinfo')
export class UserinfoController {
  constructor(private readonly accessTokens: UserAccessTokenVerifier) {}

  @Get()
  @ApiUserinfo()
  async userinfo(@Req() req: Request) {
    const header = req.headers.authorization ?? '';
    if (!/^Bearer /i.test(header)) throw invalidToken('Missing access token.');
    const inForce = await this.accessTokens.inForce(header.slice(7).trim());
    if (!inForce) throw invalidToken('Invalid access token.');
    const { user, claims: payload } = inForce;
    const { sub, ...claims } = idTokenClaims(user, String(payload.scope ?? ''), { aud: '', azp: '' });
    delete claims.aud;
    delete claims.azp;
    delete claims.scope;
    return { sub, ...claims };
  }
}

// RFC 6750 §3: a bad bearer token is a 401 with a WWW-Authenticate challenge.
const invalidToken = (description: string) =>
  new OAuthError(401, 'invalid_token', description, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });
