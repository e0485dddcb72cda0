import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '@libs/config';
import { DpopProofVerifier } from '@libs/security';
import { ClientAuthentication } from '@libs/tenants';
import { API_TAGS, oauthParams, stringParam, UnsupportedGrantType } from '@libs/platform';
import { AuthorizationCodeGrant } from './grants/authorization-code.grant';
import { ClientCredentialsGrant } from './grants/client-credentials.grant';
import { PasswordGrant } from './grants/password.grant';
import { RefreshTokenGrant } from './grants/refresh-token.grant';
import { ApiTokenEndpoint } from './token.openapi';
import { assertProofOfPossession, type TokenContext } from './user-tokens';

/** The grant types `/oauth/token` serves (also listed in the discovery document). */
export const SUPPORTED_GRANT_TYPES = [
  'authorization_code',
  'password',
  'refresh_token',
  'client_credentials',
] as const;

/** `POST /oauth/token`: form or JSON body; one handler per grant type. */
@ApiTags(API_TAGS.authentication)
@Controller('oauth/token')
export class TokenController {
  constructor(
    private readonly clients: ClientAuthentication,
    private readonly authorizationCode: AuthorizationCodeGrant,
    private readonly password: PasswordGrant,
    private readonly refreshToken: RefreshTokenGrant,
    private readonly clientCredentials: ClientCredentialsGrant,
    private readonly dpop: DpopProofVerifier,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiTokenEndpoint()
  async token(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const params = oauthParams(req.body);
    const grantType = stringParam(params, 'grant_type', { required: true, max: 128 });
    if (!(SUPPORTED_GRANT_TYPES as readonly string[]).includes(grantType)) {
      throw new UnsupportedGrantType(`Unsupported grant type: ${grantType}`);
    }
    const client = await this.clients.authenticate(req, params);
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    const context: TokenContext = {
      correlationId: String(req.id),
      ip: req.ip ?? 'unknown',
      jkt: grantType === 'client_credentials' ? undefined : await this.proofKey(req),
    };
    // A client that requires proof of possession gets key-bound tokens only.
    if (grantType !== 'client_credentials') assertProofOfPossession(client.client, context.jkt);
    switch (grantType as (typeof SUPPORTED_GRANT_TYPES)[number]) {
      case 'authorization_code':
        return this.authorizationCode.handle(params, client, context);
      case 'password':
        return this.password.handle(params, client, context);
      case 'refresh_token':
        return this.refreshToken.handle(params, client, context, res);
      case 'client_credentials':
        return this.clientCredentials.handle(params, client);
    }
  }

  /**
   * The thumbprint of the request's DPoP proof key (RFC 9449 §4.3), verified against this endpoint's
   * public URL; undefined when it carries none (a bearer request). A bad proof is refused (400).
   */
  private async proofKey(req: Request): Promise<string | undefined> {
    const proof = req.headersDistinct.dpop;
    if (proof === undefined) return undefined;
    const url = `${this.config.publicUrl}/oauth/token`;
    const { jkt } = await this.dpop.verify(
      proof,
      { method: req.method, url },
      {
        nonceRequired: this.config.dpopNonceRequired,
      },
    );
    return jkt;
  }
}
