import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandBus } from '@nestjs/cqrs';
import { RevokeRefreshToken, translateExchangeError } from '@libs/credentials';
import { ClientAuthentication } from '@libs/tenants';
import { API_TAGS, InvalidRequest, oauthParams, stringParam, UnauthorizedClient } from '@libs/platform';
import { ApiRevocationEndpoint } from './revocation.openapi';

/**
 * `POST /oauth/revoke` (RFC 7009, as Auth0 serves it): a client revokes one of its refresh tokens.
 * 200 with an empty body also for an unknown token or another client's (§2.2: the client learns
 * nothing); 200 is sent only once the revocation is durable.
 */
@ApiTags(API_TAGS.authentication)
@Controller('oauth/revoke')
export class RevocationController {
  constructor(
    private readonly clients: ClientAuthentication,
    private readonly commands: CommandBus,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiRevocationEndpoint()
  async revoke(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const params = oauthParams(req.body);
    const { client } = await this.clients.authenticate(req, params);
    if (!client.grantTypes.includes('refresh_token')) {
      throw new UnauthorizedClient('The client is not allowed to use refresh tokens.');
    }
    const token = stringParam(params, 'token', { required: true, max: 8_192 });
    const hint = stringParam(params, 'token_type_hint', { max: 64 });
    if (hint !== undefined && hint !== 'refresh_token' && hint !== 'access_token') {
      throw new InvalidRequest('token_type_hint must be refresh_token or access_token.');
    }
    res.set('Cache-Control', 'no-store');
    // Access tokens are self-contained JWTs: they cannot be revoked, only expire (§2.2 allows this).
    // Past the failed-lookup budget: 429 with the budget's headers, as the exchange answers it.
    await this.commands
      .execute(new RevokeRefreshToken(token, client.clientId, String(req.id), req.ip ?? 'unknown'))
      .catch((error: unknown) => Promise.reject(translateExchangeError(error, res)));
  }
}
