import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import type { ManagementScope } from '../management-scopes';
import { ManagementAuthGuard, REQUIRED_SCOPES } from './management-auth.guard';

/**
 * Guards a Management API handler: a valid Management API access token holding every listed scope.
 * The controller must also carry `@UseFilters(ManagementExceptionFilter)` so refusals leave as 401/403.
 *
 * @example
 * @Get('users') @RequireScopes('read:users') list() { ... }
 */
export function RequireScopes(
  ...scopes: [ManagementScope, ...ManagementScope[]]
): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), UseGuards(ManagementAuthGuard));
}
