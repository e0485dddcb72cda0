import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { SIGNING_ALGS, type SigningAlg } from '@libs/jwt';

/** Query of `POST /api/v2/keys/signing/rotate`. */
export class RotateSigningKeyQuery {
  /** Rotate only this algorithm's key; both when absent. */
  @ApiPropertyOptional({
    enum: SIGNING_ALGS,
    description: 'Rotate only this algorithm’s key; both when absent.',
  })
  @IsOptional()
  @IsIn(SIGNING_ALGS)
  alg?: SigningAlg;
}
