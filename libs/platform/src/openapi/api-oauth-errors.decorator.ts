import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type ApiResponseOptions, type HeadersObject } from '@nestjs/swagger';
import { OAuthErrorResponse } from './oauth-error.response';

const RETRY_AFTER: HeadersObject = {
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer' } },
};

/** Headers the filters and guards set with a status, so clients know they may rely on them. */
export const ERROR_HEADERS: Readonly<Record<number, HeadersObject>> = {
  401: {
    'WWW-Authenticate': {
      description: 'The challenge (RFC 6750 §3 for bearer tokens, RFC 6749 §5.2 for clients).',
      schema: { type: 'string' },
    },
  },
  429: {
    ...RETRY_AFTER,
    'X-RateLimit-Limit': { schema: { type: 'integer' } },
    'X-RateLimit-Remaining': { schema: { type: 'integer' } },
    'X-RateLimit-Reset': { description: 'Epoch seconds.', schema: { type: 'integer' } },
  },
  503: RETRY_AFTER,
};

/**
 * Documents `{error, error_description}` refusals, one per status, each with the codes it carries.
 *
 * @example
 * @ApiOAuthErrors({ 400: '`invalid_request`', 401: '`invalid_client`' })
 */
export function ApiOAuthErrors(descriptions: Readonly<Record<number, string>>): MethodDecorator {
  return applyDecorators(
    ...Object.entries(descriptions).map(([status, description]) =>
      ApiResponse(oauthErrorResponse(Number(status), description)),
    ),
  );
}

/** One `{error, error_description}` response, with the headers its status carries. */
export function oauthErrorResponse(status: number, description: string): ApiResponseOptions {
  return { status, description, type: OAuthErrorResponse, headers: ERROR_HEADERS[status] };
}
