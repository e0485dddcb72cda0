import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiManagementError } from '../errors/management-error.response';
import { MANAGEMENT_SECURITY } from '../management.openapi';
import type { ManagementScope } from '@libs/tenants';
import { GRANTED_SCOPES_FIELD, ManagementAuthGuard, REQUIRED_SCOPES } from './management-auth.guard';

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
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, scopes),
    UseGuards(ManagementAuthGuard),
    // The document names exactly the scopes the guard enforces.
    ApiSecurity(MANAGEMENT_SECURITY, scopes),
    ApiManagementError(
      401,
      '`missing_authentication`, `invalid_token` (malformed, forged, expired, other audience).',
    ),
    ApiManagementError(403, `\`insufficient_scope\`: the token lacks ${scopes.join(', ')}.`),
  );
}

/**
 * Marks a `@RequireScopes` handler that grants Management API scopes through a body field: the caller's
 * token must hold every scope it grants (no escalation from `create:clients` to every scope).
 *
 * @example
 * @Post() @RequireScopes('create:clients') @GrantsScopesIn('management_api_scopes') create() { ... }
 */
export function GrantsScopesIn(field: string): MethodDecorator {
  return SetMetadata(GRANTED_SCOPES_FIELD, field);
}
