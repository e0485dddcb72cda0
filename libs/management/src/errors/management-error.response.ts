import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, ApiSchema, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { API_TAGS, ERROR_HEADERS, OAuthErrorResponse } from '@libs/platform';

/** The documented shape of `ManagementErrorBody`. */
@ApiSchema({
  name: 'ManagementError',
  description:
    'Auth0’s Management API error body, with the OAuth `error_description` every endpoint carries.',
})
export class ManagementErrorResponse {
  @ApiProperty({ type: 'integer', example: 404 })
  statusCode: number;

  @ApiProperty({ description: 'The HTTP reason phrase.', example: 'Not Found' })
  error: string;

  @ApiProperty({ example: 'The user does not exist.' })
  message: string;

  @ApiProperty({ description: 'A stable code callers branch on.', example: 'inexistent_user' })
  errorCode: string;

  @ApiProperty({ description: 'The same text as `message`.' })
  error_description: string;
}

/** One Management API refusal: `status` answered with Auth0's body (and the headers its status carries). */
export const ApiManagementError = (status: number, description: string) =>
  ApiResponse({
    status,
    description,
    headers: ERROR_HEADERS[status],
    content: { 'application/json': { schema: { $ref: getSchemaPath(ManagementErrorResponse) } } },
  });

/**
 * What every Management API controller shares: its tag, and the refusals of its validation pipe and
 * exception filter. A body the parsers refuse (malformed JSON) is answered before the controller's filter,
 * with the plain OAuth body, hence `anyOf` on 400.
 */
export const ApiManagementController = () =>
  applyDecorators(
    ApiTags(API_TAGS.management),
    ApiExtraModels(ManagementErrorResponse, OAuthErrorResponse),
    ApiResponse({
      status: 400,
      description:
        '`invalid_body`, `invalid_query_string`, `invalid_uri` (naming the property), `invalid_password`, ' +
        '`inexistent_connection`; or a malformed JSON body (`invalid_request`, OAuth body only).',
      content: {
        'application/json': {
          schema: {
            anyOf: [
              { $ref: getSchemaPath(ManagementErrorResponse) },
              { $ref: getSchemaPath(OAuthErrorResponse) },
            ],
          },
        },
      },
    }),
    ApiManagementError(503, '`temporarily_unavailable`: PostgreSQL is unreachable.'),
  );
