import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandBus } from '@nestjs/cqrs';
import { ExchangeRefreshToken, translateExchangeError } from '@libs/credentials';
import { TokenSigner, TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { ClientCache, idTokenClaims, JWT_BEARER_GRANT, UserRepository } from '@libs/tenants';
import {
  API_TAGS,
  InvalidClient,
  InvalidGrant,
  InvalidRequest,
  oauthParams,
  setRateLimitHeaders,
  UnauthorizedClient,
} from '@libs/platform';
import { parseDelegationRequest, type DelegationRequest } from './delegation-request';
import { ApiDelegationGet, ApiDelegationPost } from './delegation.openapi';

const JSONP_CALLBACK = /^[A-Za-z_$][\w$.]{0,63}$/;

/**
 * `/delegation`, Auth0's legacy endpoint: a refresh token (or a still-valid id_token) for a fresh
 * id_token. Errors: 403 `invalid_grant` "Unknown or invalid refresh token." for an unknown, revoked or
 * foreign token and for a blocked or deleted user (the status and code of Auth0's modern token
 * endpoint, with the legacy description SDKs match on).
 */
@ApiTags(API_TAGS.delegation)
@Controller('delegation')
export class DelegationController {
  constructor(
    private readonly commands: CommandBus,
    private readonly clients: ClientCache,
    private readonly verifier: TokenVerifier,
    private readonly signer: TokenSigner,
    private readonly users: UserRepository,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiDelegationPost()
  async post(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.delegate(parseDelegationRequest(oauthParams(req.body)), req, res);
  }

  /** The JSONP-era form: parameters in the query string, optionally wrapped in `callback(...)`. */
  @Get()
  @ApiDelegationGet()
  async get(@Req() req: Request, @Res() res: Response) {
    const params = oauthParams(req.query);
    const callback = typeof params.callback === 'string' ? params.callback : undefined;
    if (callback !== undefined && !JSONP_CALLBACK.test(callback))
      throw new InvalidRequest('Invalid callback name.');
    const body = await this.delegate(parseDelegationRequest(params), req, res);
    res.set('Cache-Control', 'no-store');
    if (!callback) return res.json(body);
    res.type('application/javascript').set('X-Content-Type-Options', 'nosniff');
    return res.send(`/**/ typeof ${callback} === 'function' && ${callback}(${JSON.stringify(body)});`);
  }

  private async delegate(request: DelegationRequest, req: Request, res: Response) {
    const client = await this.clients.get(request.clientId);
    if (!client) throw new InvalidClient('Unknown client.');
    if (!client.grantTypes.includes(JWT_BEARER_GRANT)) {
      throw new UnauthorizedClient('The client is not allowed to use delegation.');
    }
    res.set('Cache-Control', 'no-store');
    if (request.idToken) return this.delegateIdToken(request, client.clientId);
    try {
      const result = await this.commands.execute(
        new ExchangeRefreshToken(
          {
            refreshToken: request.refreshToken!,
            client,
            target: request.target,
            scope: request.scope,
            apiType: request.apiType,
            via: 'delegation',
            ip: req.ip ?? 'unknown',
          },
          { correlationId: String(req.id) },
        ),
      );
      setRateLimitHeaders(res, result.rateLimit);
      return { token_type: 'Bearer', expires_in: result.expiresIn, id_token: result.idToken };
    } catch (error) {
      throw translateExchangeError(error, res);
    }
  }

  /**
   * The id_token form: a still-valid id_token of this tenant, issued to this client, for a new one.
   * No refresh token is involved, so no credential event is recorded.
   */
  private async delegateIdToken(request: DelegationRequest, clientId: string) {
    let sub: string | undefined;
    try {
      sub = (await this.verifier.verify(request.idToken!, { audience: clientId })).sub;
    } catch (error) {
      if (error instanceof TokenVerificationError) throw new InvalidGrant('Invalid id_token.');
      throw error;
    }
    const user = sub ? await this.users.findById(sub) : null;
    if (!user || user.blocked) throw new InvalidGrant('Invalid id_token.');
    const targetId = request.target ?? clientId;
    const target = await this.clients.get(targetId);
    if (!target) throw new InvalidRequest('Unknown target client.');
    const signed = await this.signer.sign(
      idTokenClaims(user, request.scope === 'passthrough' ? 'openid' : (request.scope ?? 'openid'), {
        aud: target.clientId,
        azp: clientId,
      }),
      { alg: target.idTokenAlg, lifetimeSeconds: target.idTokenLifetimeSeconds },
    );
    return { token_type: 'Bearer', expires_in: signed.exp - signed.iat, id_token: signed.token };
  }
}
