import { Controller, Get, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AppConfig } from '@libs/config';
import { idTokenClaims, UserRepository } from '@libs/tenants';
import { TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { API_TAGS, OAuthError } from '@libs/platform';
import { ApiUserinfo } from './discovery.openapi';

/** OIDC Core §5.3: the user's claims for an access token issued by this tenant, by its scope. */
@ApiTags(API_TAGS.authentication)
@Controller('userinfo')
export class UserinfoController {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly users: UserRepository,
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
    const user = payload.sub ? await this.users.findById(payload.sub) : null;
    if (!user || user.blocked) throw invalidToken('Invalid access token.');
    const { sub, ...claims } = idTokenClaims(user, String(payload.scope ?? ''), { aud: '', azp: '' });
    delete claims.aud;
    delete claims.azp;
    return { sub, ...claims };
  }
}

// RFC 6750 §3: a bad bearer token is a 401 with a WWW-Authenticate challenge.
const invalidToken = (description: string) =>
  new OAuthError(401, 'invalid_token', description, {
    'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });
