import { Controller, Get, HttpCode, Post, Query, UseFilters, UsePipes } from '@nestjs/common';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ManagementExceptionFilter } from '../errors/management-exception.filter';
import { ManagementValidationPipe } from '../http/management-validation.pipe';
import { RotateSigningKeyQuery } from './signing-keys.dto';
import { SigningKeysService, type RotationView, type SigningKeyView } from './signing-keys.service';

/** `/api/v2/keys/signing`: Auth0's signing-key endpoints. */
@Controller('api/v2/keys/signing')
@UseFilters(ManagementExceptionFilter)
@UsePipes(ManagementValidationPipe)
export class SigningKeysController {
  constructor(private readonly service: SigningKeysService) {}

  /** The published signing keys. */
  @Get()
  @RequireScopes('read:signing_keys')
  list(): Promise<SigningKeyView[]> {
    return this.service.list();
  }

  /** Rotates the signing keys (both algorithms, or `?alg=`). */
  @Post('rotate')
  @HttpCode(201)
  @RequireScopes('create:signing_keys', 'update:signing_keys')
  rotate(@Query() query: RotateSigningKeyQuery): Promise<RotationView> {
    return this.service.rotate(query.alg);
  }
}
