import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { translateExchangeError } from '@libs/credentials';
import { ClientAuthentication } from '@libs/tenants';
import { API_TAGS, InvalidClient, oauthParams, stringParam } from '@libs/platform';
import type { IntrospectionResponse } from './introspection-response';
import { ApiIntrospectionEndpoint } from './introspection.openapi';
import { TokenIntrospection, type TokenKind } from './token-introspection';

const isTokenKind = (hint: string | undefined): hint is TokenKind =>
  hint === 'refresh_token' || hint === 'access_token';

/**
 * `POST /oauth/introspect` (RFC 7662): a confidential client asks whether one of its refresh or access
 * tokens is in force, and what it grants. `active` is decided as the exchange (refresh tokens) and
 * `/userinfo` (access tokens) decide, on the view and the events it has not applied: a revocation that has
 * returned is in force here too. Another client's token, an unknown one and garbage are all
 * `{"active": false}` (§2.2: nothing else is said about them).
 */
@ApiTags(API_TAGS.authentication)
@Controller('oauth/introspect')
export class IntrospectionController {
  constructor(
    private readonly clients: ClientAuthentication,
    private readonly introspection: TokenIntrospection,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiIntrospectionEndpoint()
  async introspect(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<IntrospectionResponse> {
    const params = oauthParams(req.body);
    const { client, confidential } = await this.clients.authenticate(req, params);
    // §2.1: the endpoint requires authorization; a public client proves nothing by naming itself.
    if (!confidential) throw new InvalidClient('Only confidential clients may introspect tokens.');
    const token = stringParam(params, 'token', { required: true, max: 8_192 });
    // §2.1: a hint only; a value this server does not know is ignored (the token is looked up as both).
    const hint = stringParam(params, 'token_type_hint', { max: 64 });
    res.set('Cache-Control', 'no-store');
    // Past the failed-lookup budget: 429 with the budget's headers, as the exchange answers it.
    return this.introspection
      .introspect(token, client.clientId, isTokenKind(hint) ? hint : undefined, req.ip ?? 'unknown')
      .catch((error: unknown) => Promise.reject(translateExchangeError(error, res)));
  }
}
