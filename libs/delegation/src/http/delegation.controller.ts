import { Controller, Get, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandBus } from '@nestjs/cqrs';
import { ExchangeRefreshToken, translateExchangeError } from '@libs/credentials';
import { ClientAuthentication, IdTokenKeys, JWT_BEARER_GRANT } from '@libs/tenants';
import {
  API_TAGS,
  describeError,
  InvalidGrant,
  InvalidRequest,
  logServerError,
  oauthParams,
  setRateLimitHeaders,
  stringParam,
  UnauthorizedClient,
  type OAuthParams,
} from '@libs/platform';
import { parseDelegationRequest } from './delegation-request';
import { ApiDelegationGet, ApiDelegationPost } from './delegation.openapi';

const JSONP_CALLBACK = /^[A-Za-z_$][\w$.]{0,63}$/;
// auth0.js v7 loads /delegation with the `jsonp` package configured as `{ param: 'cbx' }`; `callback` is the
// name most other JSONP clients use.
const JSONP_CALLBACK_PARAMS = ['cbx', 'callback'];
// RFC 6750 §2.3, RFC 9700 §4.3.2: a URL ends up in browser history, proxy and server logs and Referer
// headers, so a GET never carries a long-lived secret (issue 19 finding 11). What auth0.js 7.6.1 sends
// here (`getDelegationToken`, `index.js`; a JSONP GET when `forceJSONP` is set or the browser has no CORS):
// `grant_type`, `client_id`, `target`, `api_type`, the caller's options — `renewIdToken` adds `id_token`,
// `scope=passthrough`, `api_type=auth0` — and the `jsonp` package's `cbx`. It never has a client secret (a
// browser SDK holds none); its `refreshToken` puts the refresh token in the URL, which is refused: it POSTs
// the same fields as a form without `forceJSONP`. auth0.js v8/v9 `delegation` POSTs JSON and never uses GET.
const URL_FORBIDDEN_PARAMS = ['client_secret', 'refresh_token'];

/**
 * `/delegation`, Auth0's legacy endpoint: a refresh token (or a still-valid id_token) for a fresh
 * id_token, both through credentials' `ExchangeRefreshToken` command. The client authenticates as at `/oauth/token`.
 * Errors: 403 `invalid_grant` "Unknown or invalid refresh token." for an unknown, revoked or foreign
 * token and for a blocked user (the status and code of Auth0's modern token endpoint, with the legacy
 * description SDKs match on); for a deleted user's token, Auth0's own text for that case; "Invalid
 * id_token." for the id_token form.
 */
@ApiTags(API_TAGS.delegation)
@Controller('delegation')
export class DelegationController {
  private readonly logger = new Logger(DelegationController.name);

  constructor(
    private readonly commands: CommandBus,
    private readonly clients: ClientAuthentication,
    private readonly idTokenKeys: IdTokenKeys,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiDelegationPost()
  async post(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.delegate(oauthParams(req.body), req, res);
  }

  /**
   * The JSONP-era form: parameters in the query string, the answer wrapped in `cbx(...)` (or
   * `callback(...)`) as JavaScript. A script tag cannot read a status, so errors come back through the
   * callback too, with status 200 and the HTTP status in the object: `{status, error, error_description}`,
   * what auth0.js v7 reads (`'error' in resp` → `LoginError(resp.status, resp.error_description)`).
   */
  @Get()
  @ApiDelegationGet()
  async get(@Req() req: Request, @Res() res: Response) {
    const params = oauthParams(req.query);
    const callback = jsonpCallback(params);
    if (!callback) {
      assertNoSecretInUrl(params);
      const body = await this.delegate(params, req, res);
      return res.set('Cache-Control', 'no-store').json(body);
    }
    let payload: object;
    try {
      assertNoSecretInUrl(params);
      payload = await this.delegate(params, req, res);
    } catch (error) {
      const [status, body] = describeError(error);
      logServerError(this.logger, status, error);
      payload = { status, ...body };
    }
    res
      .status(200)
      .type('text/javascript')
      .set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    return res.send(`/**/ typeof ${callback} === 'function' && ${callback}(${JSON.stringify(payload)});`);
  }

  private async delegate(params: OAuthParams, req: Request, res: Response) {
    const request = parseDelegationRequest(params);
    const { client } = await this.clients.authenticate(req, params);
    if (!client.grantTypes.includes(JWT_BEARER_GRANT)) {
      throw new UnauthorizedClient('The client is not allowed to use delegation.');
    }
    res.set('Cache-Control', 'no-store');
    // Whoever holds an HS256 client's secret can mint its id_tokens: they are renewed for that client only.
    if (
      request.idToken &&
      this.idTokenKeys.verificationKey(client) &&
      (request.target ?? client.clientId) !== client.clientId
    ) {
      throw new UnauthorizedClient('An HS256 client may delegate its id_tokens only to itself.');
    }
    const presented = request.idToken
      ? { idToken: request.idToken }
      : { refreshToken: request.refreshToken! };
    try {
      const result = await this.commands.execute(
        new ExchangeRefreshToken(
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
        ),
      );
      setRateLimitHeaders(res, result.rateLimit);
      return { token_type: 'Bearer', expires_in: result.expiresIn, id_token: result.idToken };
    } catch (error) {
      const refused = translateExchangeError(error, res);
      // The id_token form keeps its own description, whatever made the token unusable.
      throw request.idToken && refused instanceof InvalidGrant ? new InvalidGrant(INVALID_ID_TOKEN) : refused;
    }
  }
}

const INVALID_ID_TOKEN = 'Invalid id_token.';

/** Refuses a GET whose query string carries a client secret or a refresh token, before either is used. */
function assertNoSecretInUrl(params: OAuthParams): void {
  const found = URL_FORBIDDEN_PARAMS.filter((name) => params[name] !== undefined);
  if (found.length > 0) {
    throw new InvalidRequest(
      `${found.join(' and ')} must not be sent in a URL: POST /delegation with them in the body.`,
    );
  }
}

/** The JSONP callback a GET names, or `undefined`; a name that is not a plain JavaScript path is refused. */
function jsonpCallback(params: Record<string, unknown>): string | undefined {
  const name = JSONP_CALLBACK_PARAMS.find((param) => params[param] !== undefined);
  const callback = name === undefined ? undefined : stringParam(params, name, { max: 64 });
  if (callback !== undefined && !JSONP_CALLBACK.test(callback))
    throw new InvalidRequest('Invalid callback name.');
  return callback;
}
