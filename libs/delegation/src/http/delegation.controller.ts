import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError, INVALID_REFRESH_TOKEN } from '@libs/domain';
import { JWT_BEARER_GRANT } from '@libs/management';
import {
  API_TAGS,
  InvalidGrant,
  InvalidRequest,
  InvalidScope,
  oauthParams,
  TooManyRequests,
  UnauthorizedClient,
  type OAuthParams,
} from '@libs/platform';
import { ClientAuthentication } from '../credentials/client-authentication';
import {
  RateLimited,
  RefreshTokenExchange,
  ScopeNotGranted,
  TargetNotAllowed,
  UnknownTarget,
} from '../refresh-token-exchange';
import { setRateLimitHeaders } from './rate-limit-headers';
import { parseDelegationRequest } from './delegation-request';
import { ApiDelegationGet, ApiDelegationPost } from './delegation.openapi';

const JSONP_CALLBACK = /^[A-Za-z_$][\w$.]{0,63}$/;

/**
 * `/delegation`, Auth0's legacy endpoint: a refresh token (or a still-valid id_token) for a fresh
 * id_token, both through `RefreshTokenExchange`. The client authenticates as at `/oauth/token`.
 * Errors: 403 `invalid_grant` "Unknown or invalid refresh token." for an unknown, revoked or foreign
 * token and for a blocked or deleted user (the status and code of Auth0's modern token endpoint, with
 * the legacy description SDKs match on), "Invalid id_token." for the id_token form.
 */
@ApiTags(API_TAGS.delegation)
@Controller('delegation')
export class DelegationController {
  constructor(
    private readonly exchange: RefreshTokenExchange,
    private readonly clients: ClientAuthentication,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiDelegationPost()
  async post(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.delegate(oauthParams(req.body), req, res);
  }

  /** The JSONP-era form: parameters in the query string, optionally wrapped in `callback(...)`. */
  @Get()
  @ApiDelegationGet()
  async get(@Req() req: Request, @Res() res: Response) {
    const params = oauthParams(req.query);
    const callback = typeof params.callback === 'string' ? params.callback : undefined;
    if (callback !== undefined && !JSONP_CALLBACK.test(callback))
      throw new InvalidRequest('Invalid callback name.');
    const body = await this.delegate(params, req, res);
    res.set('Cache-Control', 'no-store');
    if (!callback) return res.json(body);
    res.type('application/javascript').set('X-Content-Type-Options', 'nosniff');
    return res.send(`/**/ typeof ${callback} === 'function' && ${callback}(${JSON.stringify(body)});`);
  }

  private async delegate(params: OAuthParams, req: Request, res: Response) {
    const request = parseDelegationRequest(params);
    const { client } = await this.clients.authenticate(req, params);
    if (!client.grantTypes.includes(JWT_BEARER_GRANT)) {
      throw new UnauthorizedClient('The client is not allowed to use delegation.');
    }
    res.set('Cache-Control', 'no-store');
    const presented = request.idToken
      ? { idToken: request.idToken }
      : { refreshToken: request.refreshToken! };
    try {
      const result = await this.exchange.exchange(
        {
          ...presented,
          client,
          target: request.target,
          scope: request.scope,
          apiType: request.apiType,
          via: 'delegation',
          ip: req.ip ?? 'unknown',
        },
        { correlationId: String(req.id) },
      );
      setRateLimitHeaders(res, result.rateLimit);
      return { token_type: 'Bearer', expires_in: result.expiresIn, id_token: result.idToken };
    } catch (error) {
      const refused = translate(error, res);
      // The id_token form keeps its own description, whatever made the token unusable.
      throw request.idToken && refused instanceof InvalidGrant ? new InvalidGrant(INVALID_ID_TOKEN) : refused;
    }
  }
}

const INVALID_ID_TOKEN = 'Invalid id_token.';

/** Maps the exchange's refusals to Auth0's wire errors; anything else stays an infrastructure error. */
export function translate(error: unknown, res: Response): unknown {
  if (error instanceof DomainError && error.code === 'invalid_refresh_token') {
    return new InvalidGrant(INVALID_REFRESH_TOKEN);
  }
  if (error instanceof RateLimited) {
    setRateLimitHeaders(res, error.decision);
    return new TooManyRequests(
      'Too many requests. Try again later.',
      Math.max(1, error.decision.resetAt - Math.floor(Date.now() / 1000)),
    );
  }
  if (error instanceof UnknownTarget) return new InvalidRequest('Unknown target client.');
  if (error instanceof TargetNotAllowed) {
    return new UnauthorizedClient('The target client does not accept delegation (jwt-bearer grant).');
  }
  if (error instanceof ScopeNotGranted) return new InvalidScope(error.message);
  return error;
}
