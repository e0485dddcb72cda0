import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
  getSchemaPath,
  type SchemaObject,
} from '@nestjs/swagger';
import { JWT_BEARER_GRANT } from '@libs/tenants';
import { ApiOAuthErrors } from '@libs/platform';

const DESCRIPTIONS = {
  client_id: 'The application presenting the token.',
  refresh_token: 'A refresh token issued to client_id. Exactly one of refresh_token and id_token.',
  id_token:
    'A still-valid id_token of this tenant issued to client_id. Bound to a refresh token (claim ' +
    '`credential_id`): refused once that is revoked, recorded like the refresh-token form. Unbound: the ' +
    'new token expires no later than this one, nothing is recorded. The scope never widens.',
  client_secret: 'A confidential client’s secret (or HTTP Basic instead); public clients send none.',
  target: 'The application the new id_token is for (`aud`); client_id by default.',
  scope: '`openid`, `openid profile email`, or `passthrough` (auth0.js v7): the token’s own scope.',
  api_type: 'auth0.js v7 sent `auth0`; absent means `app`.',
} as const;

/** `/delegation` parameters (Auth0's legacy endpoint), as auth0.js v7/v8 and Auth0.Android sent them. */
export class DelegationRequestBody {
  @ApiProperty({ maxLength: 128, description: DESCRIPTIONS.client_id })
  client_id: string;

  @ApiPropertyOptional({ maxLength: 512, description: DESCRIPTIONS.client_secret })
  client_secret?: string;

  @ApiProperty({ enum: [JWT_BEARER_GRANT] })
  grant_type: string;

  @ApiPropertyOptional({ maxLength: 512, description: DESCRIPTIONS.refresh_token })
  refresh_token?: string;

  @ApiPropertyOptional({ maxLength: 8192, description: DESCRIPTIONS.id_token })
  id_token?: string;

  @ApiPropertyOptional({ maxLength: 128, description: DESCRIPTIONS.target })
  target?: string;

  @ApiPropertyOptional({ maxLength: 1024, description: DESCRIPTIONS.scope })
  scope?: string;

  @ApiPropertyOptional({ enum: ['app', 'auth0'], default: 'app', description: DESCRIPTIONS.api_type })
  api_type?: 'app' | 'auth0';
}

export class DelegationResponseBody {
  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({ type: 'integer', description: '`exp - iat` of the new id_token (the target’s lifetime).' })
  expires_in: number;

  @ApiProperty()
  id_token: string;
}

const EXACTLY_ONE_TOKEN: SchemaObject = {
  allOf: [{ $ref: getSchemaPath(DelegationRequestBody) }],
  oneOf: [{ required: ['refresh_token'] }, { required: ['id_token'] }],
};

const ERRORS = {
  400:
    '`invalid_request` (missing, repeated, non-string or over-long parameter; both or neither token; ' +
    'unknown target; bad api_type or callback), `unsupported_grant_type`.',
  401: '`invalid_client`: unknown client_id; a confidential client without its secret or with a wrong one.',
  403:
    '`invalid_grant` "Unknown or invalid refresh token." (unknown, revoked or foreign token; blocked or ' +
    'deleted user) or "Invalid id_token."; `unauthorized_client` (delegation not enabled for the client ' +
    'or the target; a client that requires DPoP, which /delegation cannot carry).',
  429:
    '`too_many_requests`: per IP and user, and failed look-ups per IP and client; `too_many_attempts`: ' +
    'wrong client secrets per IP and client.',
  503: '`temporarily_unavailable`.',
};

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Epoch seconds.', schema: { type: 'integer' } },
} as const;

/** `POST /delegation`. */
export const ApiDelegationPost = () =>
  applyDecorators(
    ApiOperation({
      summary: 'A fresh id_token for a refresh token (or a still-valid id_token)',
      description: 'Answered only once its `IdTokenDelegated` is durable.',
    }),
    ApiExtraModels(DelegationRequestBody),
    ApiConsumes('application/json', 'application/x-www-form-urlencoded'),
    ApiBody({ schema: EXACTLY_ONE_TOKEN }),
    ApiResponse({
      status: 200,
      description: 'A fresh id_token (`Cache-Control: no-store`).',
      type: DelegationResponseBody,
      headers: RATE_LIMIT_HEADERS,
    }),
    ApiOAuthErrors(ERRORS),
  );

const query = (name: keyof typeof DESCRIPTIONS, schema: SchemaObject, required = false) =>
  ApiQuery({ name, required, description: DESCRIPTIONS[name], schema });

/** `GET /delegation`. */
export const ApiDelegationGet = () =>
  applyDecorators(
    ApiOperation({
      summary: 'The JSONP-era form of POST /delegation: parameters in the query string',
      description:
        'With `cbx` (auth0.js v7) or `callback`, the body is `cbx({...})` as text/javascript, status 200 also ' +
        'for errors, which reach the callback as `{status, error, error_description}`. The id_token form ' +
        'only: `client_secret` or `refresh_token` in the URL is refused with 400 `invalid_request` ' +
        '(RFC 6750 §2.3, RFC 9700 §4.3.2) — POST them.',
    }),
    query('client_id', { type: 'string', maxLength: 128 }, true),
    ApiQuery({ name: 'grant_type', required: true, schema: { type: 'string', enum: [JWT_BEARER_GRANT] } }),
    query('id_token', { type: 'string', maxLength: 8192 }, true),
    query('target', { type: 'string', maxLength: 128 }),
    query('scope', { type: 'string', maxLength: 1024 }),
    query('api_type', { type: 'string', enum: ['app', 'auth0'], default: 'app' }),
    ApiQuery({
      name: 'cbx',
      required: false,
      description: 'A JavaScript function name for JSONP: the parameter auth0.js v7 sends.',
      schema: { type: 'string', pattern: '^[A-Za-z_$][\\w$.]{0,63}$' },
    }),
    ApiQuery({
      name: 'callback',
      required: false,
      description: 'A JavaScript function name for JSONP (when `cbx` is absent).',
      schema: { type: 'string', pattern: '^[A-Za-z_$][\\w$.]{0,63}$' },
    }),
    ApiResponse({
      status: 200,
      description: 'A fresh id_token: JSON; or JSONP with `cbx`/`callback`, errors included.',
      headers: RATE_LIMIT_HEADERS,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(DelegationResponseBody) } },
        'text/javascript': {
          schema: { type: 'string', example: "/**/ typeof cb === 'function' && cb({...});" },
        },
      },
    }),
    ApiExtraModels(DelegationResponseBody),
    ApiOAuthErrors(ERRORS),
  );
