import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { decodeJwt, type JWTPayload } from 'jose';
import { IdTokenProvenance } from '@libs/credentials';
import { TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { ClientCache, IdTokenKeys, toUserView, UserRepository, type UserView } from '@libs/tenants';
import { API_TAGS, OAuthError, oauthParams, stringParam } from '@libs/platform';
import { ApiTokeninfo } from './legacy.openapi';

/**
 * `POST /tokeninfo`, Auth0's legacy profile endpoint (replaced by `/userinfo`): an id_token this tenant
 * issued — RS256/ES256 with its keys, HS256 with the secret of the client it names as `aud` — for the
 * profile of its user. Any other token, an expired one, or a blocked or deleted user: 401 `invalid_token`.
 * An HS256 token verifies with a secret its client holds too, so it must also be one this service issued,
 * and a token bound to a credential is refused once that is revoked (`IdTokenProvenance.inForce`, issue 19
 * finding 9).
 */
@ApiTags(API_TAGS.authentication)
@Controller('tokeninfo')
export class TokeninfoController {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly clients: ClientCache,
    private readonly idTokenKeys: IdTokenKeys,
    private readonly users: UserRepository,
    private readonly provenance: IdTokenProvenance,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiTokeninfo()
  async tokeninfo(@Req() req: Request): Promise<Omit<UserView, 'blocked'>> {
    const idToken = stringParam(oauthParams(req.body), 'id_token', { required: true, max: 8_192 });
    // The audience picks the client, hence the key; the signature, then what this service recorded of the
    // token (its credential, or for HS256 its jti), decide whether to believe it.
    const client = await this.clients.get(audienceOf(idToken));
    if (!client) throw invalidToken();
    let claims: JWTPayload;
    try {
      const hs256Key = this.idTokenKeys.verificationKey(client);
      claims = await this.verifier.verify(idToken, { audience: client.clientId, hs256Key });
    } catch (error) {
      if (error instanceof TokenVerificationError) throw invalidToken();
      throw error;
    }
    if (!(await this.provenance.inForce(idToken, claims, client.clientId))) throw invalidToken();
    const user = claims.sub ? await this.users.findById(claims.sub) : null;
    if (!user || user.blocked) throw invalidToken();
    const { blocked: _blocked, ...profile } = toUserView(user);
    return profile;
  }
}

/** The first `aud` of an unverified JWT, or '' when it is not one (no client has that id). */
function audienceOf(token: string): string {
  try {
    const { aud } = decodeJwt(token);
    return (Array.isArray(aud) ? aud[0] : aud) ?? '';
  } catch {
    return '';
  }
}

const invalidToken = () => new OAuthError(401, 'invalid_token', 'Invalid id_token.');
