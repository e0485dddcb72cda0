import { Controller, Get, HttpCode, Post, Query, UseFilters, UsePipes } from '@nestjs/common';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ApiManagementController } from '../errors/management-error.response';
import { ManagementExceptionFilter } from '../errors/management-exception.filter';
import { ManagementValidationPipe } from '../http/management-validation.pipe';
import { RotateSigningKeyQuery } from './signing-keys.dto';
import { ApiListSigningKeys, ApiRotateSigningKeys } from './signing-keys.openapi';
import { SigningKeysService, type RotationView, type SigningKeyView } from './signing-keys.service';

/** `/api/v2/keys/signing`: Auth0's signing-key endpoints. */
@ApiManagementController()
@Controller('api/v2/keys/signing')
@UseFilters(ManagementExceptionFilter)
@UsePipes(ManagementValidationPipe)
export class SigningKeysController {
  constructor(private readonly service: SigningKeysService) {}

  /** The published signing keys. */
  @Get()
  @RequireScopes('read:signing_keys')
  @ApiListSigningKeys()
  list(): Promise<SigningKeyView[]> {
    return this.service.list();
  }

  /** Rotates the signing keys (both algorithms, or `?alg=`). */
  @Post('rotate')
  @HttpCode(201)
  @RequireScopes('create:signing_keys', 'update:signing_keys')
  @ApiRotateSigningKeys()
  rotate(@Query() query: RotateSigningKeyQuery): Promise<RotationView> {
    return this.service.rotate(query.alg);
  }
}
