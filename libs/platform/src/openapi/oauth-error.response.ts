import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The documented shape of `OAuthErrorBody`: every refusal of the Authentication API and of the transport. */
@ApiSchema({
  name: 'OAuthError',
  description: 'RFC 6749 §5.2 error body, as Auth0 writes it.',
})
export class OAuthErrorResponse {
  @ApiProperty({ description: 'The OAuth error code.', example: 'invalid_request' })
  error: string;

  @ApiProperty({
    description: 'Human-readable text; SDKs match some of them (e.g. "Unknown or invalid refresh token.").',
    example: 'Missing required parameter: client_id',
  })
  error_description: string;
}
