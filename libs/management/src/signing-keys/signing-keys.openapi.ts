import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { SIGNING_ALGS } from '@libs/jwt';

/** The documented shape of `SigningKeyView`. */
export class SigningKeyResponse {
  @ApiProperty()
  kid: string;

  @ApiProperty({ enum: SIGNING_ALGS })
  alg: string;

  @ApiProperty({ description: 'Signs new tokens.' })
  current: boolean;

  @ApiProperty({ description: 'Rotated out: still verifies tokens it signed until `retire_after`.' })
  previous: boolean;

  @ApiPropertyOptional({ format: 'date-time' })
  current_since?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  current_until?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  retire_after?: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'As published in the JWKS.' })
  jwk: Record<string, unknown>;
}

export class RotatedKeyResponse {
  @ApiProperty({ enum: SIGNING_ALGS })
  alg: string;

  @ApiProperty()
  kid: string;

  @ApiPropertyOptional()
  previous_kid?: string;
}

/** The documented shape of `RotationView`. */
export class RotationResponse {
  @ApiProperty({
    description: 'The new key of the first algorithm rotated (RS256 unless `alg` says otherwise).',
  })
  kid: string;

  @ApiProperty({ type: [RotatedKeyResponse] })
  rotated: RotatedKeyResponse[];
}

/** `GET /api/v2/keys/signing`. */
export const ApiListSigningKeys = () =>
  applyDecorators(
    ApiOperation({ summary: 'The published signing keys and their lifecycle' }),
    ApiResponse({ status: 200, description: 'Current and previous keys.', type: [SigningKeyResponse] }),
  );

/** `POST /api/v2/keys/signing/rotate`. */
export const ApiRotateSigningKeys = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Rotate the signing keys (both algorithms, or `?alg=`)',
      description: 'The previous keys stay published until every token they signed has expired.',
    }),
    ApiResponse({ status: 201, description: 'The new keys.', type: RotationResponse }),
  );
