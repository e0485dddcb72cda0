import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ClientAuthentication, USER_CONNECTION } from '@libs/tenants';
import {
  API_TAGS,
  InvalidRequest,
  oauthParams,
  stringParam,
  UnauthorizedClient,
  UnsupportedGrantType,
} from '@libs/platform';
import { PasswordGrant } from '../token/grants/password.grant';
import { ApiResourceOwner } from './legacy.openapi';

/** Auth0's legacy `/oauth/ro` answer: no `expires_in` nor `scope`, and a lower-case token type. */
export interface ResourceOwnerResponse {
  id_token?: string;
  access_token: string;
  token_type: 'bearer';
  refresh_token?: string;
}

/**
 * `POST /oauth/ro`, Auth0's legacy resource-owner endpoint. It is the password grant under another
 * address and answer shape: the same client authentication, the same `PasswordGrant` (enabled per
 * client, `device` required with `offline_access`, the same protections), so the two cannot drift.
 * Its tokens are bearer tokens: a client that requires proof of possession is refused here.
 */
@ApiTags(API_TAGS.authentication)
@Controller('oauth/ro')
export class ResourceOwnerController {
  constructor(
    private readonly clients: ClientAuthentication,
    private readonly password: PasswordGrant,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiResourceOwner()
  async login(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ResourceOwnerResponse> {
    const params = oauthParams(req.body);
    const grantType = stringParam(params, 'grant_type', { max: 128 }) ?? 'password';
    if (grantType !== 'password') throw new UnsupportedGrantType(`Unsupported grant type: ${grantType}`);
    const connection = stringParam(params, 'connection', { max: 128 });
    if (connection !== undefined && connection !== USER_CONNECTION) {
      throw new InvalidRequest(`Unknown connection: only ${USER_CONNECTION} exists on this tenant.`);
    }
    const client = await this.clients.authenticate(req, params);
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    // Before the password is checked: Auth0 issues such a client no token without a proof (issue 19 finding 7).
    if (client.client.requireProofOfPossession) {
      throw new UnauthorizedClient(
        'This client requires DPoP-bound tokens (require_proof_of_possession): use the password grant at ' +
          '/oauth/token with a DPoP proof (RFC 9449).',
      );
    }
    // The same context /oauth/token passes: the password grant's protections key on the address.
    const context = { correlationId: String(req.id), ip: req.ip ?? 'unknown' };
    const tokens = await this.password.handle(params, client, context);
    return {
      ...(tokens.id_token ? { id_token: tokens.id_token } : {}),
      access_token: tokens.access_token,
      token_type: 'bearer',
      ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
    };
  }
}
