import { Controller, Get, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AppConfig } from '@libs/config';
import { CredentialResolver } from '@libs/credentials';
import { CREDENTIAL_CLAIM, idTokenClaims, UserRepository } from '@libs/tenants';
import { TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { API_TAGS, OAuthError } from '@libs/platform';
import { ApiUserinfo } from './discovery.openapi';

/**
 * OIDC Core §5.3: the user's claims for an access token issued by this tenant, by its scope. A token
 * bound to a refresh token (`CREDENTIAL_CLAIM`) is refused once that is revoked — checked on the view and
 * the events it has not applied, as the exchange does (DESIGN guarantee 1) — and so is a blocked or
 * deleted user's.
 */
@ApiTags(API_TAGS.authentication)
@Controller('userinfo')
export class UserinfoController {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly users: UserRepository,
    private readonly credentials: CredentialResolver,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiUserinfo()
  async userinfo(@Req() req: Request) {
    const header = req.headers.authorization ?? '';
    if (!/^Bearer /i.test(header)) throw invalidToken('Missing access token.');
    let payload;
    try {
      payload = await this.verifier.verify(header.slice(7).trim(), {
        audience: `${this.config.publicUrl}/userinfo`,
        typ: 'at+jwt',
      });
    } catch (error) {
      if (error instanceof TokenVerificationError) throw invalidToken('Invalid access token.');
      throw error;
    }
    const credentialId = payload[CREDENTIAL_CLAIM];
    if (credentialId !== undefined) {
      if (typeof credentialId !== 'string' || typeof payload.azp !== 'string') {
        throw invalidToken('Invalid access token.');
      }
      if (await this.credentials.refusalById(credentialId, payload.azp)) {
        throw invalidToken('Invalid access token.');
      }
    }
    const user = payload.sub ? await this.users.findById(payload.sub) : null;
    if (!user || user.blocked) throw invalidToken('Invalid access token.');
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
