import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { type OAuthParams, setRateLimitHeaders, stringParam, UnauthorizedClient } from '@libs/platform';
import { ExchangeRefreshToken, translateExchangeError } from '@libs/credentials';
import type { AuthenticatedClient } from '@libs/tenants';
import {
  tokenTypeOf,
  USER_ACCESS_TOKEN_LIFETIME_SECONDS,
  UserTokens,
  type TokenContext,
  type TokenResponse,
} from '../user-tokens';

/**
 * `grant_type=refresh_token` (RFC 6749 §6): the same validation and recording as `/delegation`, an
 * optional narrower `scope`. A legacy (non-rotating) token stays valid until revoked and no new one is
 * returned; a rotating family's exchange returns its next `refresh_token` (the presented one is retired).
 */
@Injectable()
export class RefreshTokenGrant {
  constructor(
    private readonly commands: CommandBus,
    private readonly tokens: UserTokens,
  ) {}

  async handle(
    params: OAuthParams,
    { client }: AuthenticatedClient,
    context: TokenContext,
    res: Response,
  ): Promise<TokenResponse> {
    if (!client.grantTypes.includes('refresh_token')) {
      throw new UnauthorizedClient('The client is not allowed to use the refresh_token grant.');
    }
    const refreshToken = stringParam(params, 'refresh_token', { required: true, max: 512 });
    const requested = stringParam(params, 'scope', { max: 1_024 });

    let result;
    try {
      result = await this.commands.execute(
        new ExchangeRefreshToken(
          {
            refreshToken,
            client,
            scope: requested,
            apiType: 'app',
            via: 'refresh_token',
            ip: context.ip,
            strictScope: true,
            dpopJkt: context.jkt,
          },
          context,
        ),
      );
    } catch (error) {
      throw translateExchangeError(error, res);
    }
    setRateLimitHeaders(res, result.rateLimit);
    return {
      access_token: await this.tokens.accessToken(
        result.user,
        client,
        result.scope,
        result.credential?.credentialId,
        context.jkt,
      ),
      id_token: result.idToken,
      token_type: tokenTypeOf(context.jkt),
      expires_in: USER_ACCESS_TOKEN_LIFETIME_SECONDS,
      scope: result.scope,
      ...(result.refreshToken === undefined ? {} : { refresh_token: result.refreshToken }),
    };
  }
}
