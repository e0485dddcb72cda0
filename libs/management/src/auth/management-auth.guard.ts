import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '@libs/config';
import { TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import {
  ACCESS_TOKEN_TYP,
  isManagementScope,
  managementAudience,
  missingScopes,
  parseScope,
} from '@libs/tenants';

/** Metadata key under which `@RequireScopes` stores the scopes a handler needs. */
export const REQUIRED_SCOPES = 'management:required-scopes';

/**
 * Metadata key naming the body field (e.g. `management_api_scopes`) through which a handler grants
 * Management API scopes to another application; set by `@GrantsScopesIn`.
 */
export const GRANTED_SCOPES_FIELD = 'management:granted-scopes-field';

/** Who called the Management API, as the verified access token says; set on the request by the guard. */
export interface ManagementPrincipal {
  /** The token's `sub` (`<client_id>@clients` for client-credentials tokens). */
  subject: string;
  /** The calling application (`azp`). */
  clientId: string;
  scopes: string[];
}

/** The request property the guard stores the caller under. */
export const MANAGEMENT_PRINCIPAL = 'managementPrincipal';

// RFC 6750 §2.1 b64token; anything longer than a few KiB is not a token this tenant issued.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const MAX_TOKEN_LENGTH = 8192;

function describeScopes(required: readonly string[]): string {
  return required.length === 1
    ? `Insufficient scope, expected any of: ${required[0]}`
    : `Insufficient scope, expected all of: ${required.join(', ')}`;
}

/**
 * Admits a Management API request when its bearer token verifies (this tenant's key, audience
 * `<PUBLIC_URL>/api/v2/`, not expired) and holds every scope of `@RequireScopes`; fails closed for a
 * handler that declares none. A verifier outage propagates as a 5xx, never as a 401.
 */
@Injectable()
export class ManagementAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required =
      this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    if (required.length === 0) {
      throw new ManagementApiError(ManagementErrorCode.InsufficientScope, 'This endpoint requires a scope.');
    }
    const request = context
      .switchToHttp()
      .getRequest<Request & { [MANAGEMENT_PRINCIPAL]?: ManagementPrincipal }>();
    const principal = await this.authenticate(request.headers.authorization);
    const missing = missingScopes(principal.scopes, required);
    if (missing.length > 0) {
      throw new ManagementApiError(ManagementErrorCode.InsufficientScope, describeScopes(required));
    }
    this.refuseEscalation(context, request.body, principal);
    request[MANAGEMENT_PRINCIPAL] = principal;
    return true;
  }

  /**
   * A token may grant another application only scopes it holds itself: otherwise `create:clients` alone
   * would mint a client with every scope, and per-endpoint scopes would protect nothing. A malformed field
   * or an unknown scope is left to the validation pipe (400).
   */
  private refuseEscalation(context: ExecutionContext, body: unknown, principal: ManagementPrincipal): void {
    const field = this.reflector.get<string | undefined>(GRANTED_SCOPES_FIELD, context.getHandler());
    if (!field || typeof body !== 'object' || body === null) return;
    const granted = (body as Record<string, unknown>)[field];
    if (!Array.isArray(granted)) return;
    const lacking = missingScopes(
      principal.scopes,
      granted.filter((scope): scope is string => typeof scope === 'string' && isManagementScope(scope)),
    );
    if (lacking.length > 0) {
      throw new ManagementApiError(
        ManagementErrorCode.InsufficientScope,
        `Insufficient scope to grant: ${lacking.join(', ')} (a token grants only scopes it holds)`,
      );
    }
  }

  private async authenticate(header: string | undefined): Promise<ManagementPrincipal> {
    if (!header) {
      throw new ManagementApiError(ManagementErrorCode.MissingAuthentication, 'Missing authentication');
    }
    const token = header.length <= MAX_TOKEN_LENGTH + 7 ? BEARER.exec(header.trim())?.[1] : undefined;
    if (!token) {
      throw new ManagementApiError(
        ManagementErrorCode.MissingAuthentication,
        'Bad HTTP authentication header format',
      );
    }
    try {
      const claims = await this.verifier.verify(token, {
        audience: managementAudience(this.config),
        typ: ACCESS_TOKEN_TYP,
      });
      const subject = typeof claims.sub === 'string' ? claims.sub : '';
      const clientId = typeof claims.azp === 'string' ? claims.azp : subject.replace(/@clients$/, '');
      const scopes = typeof claims.scope === 'string' ? parseScope(claims.scope) : [];
      return { subject, clientId, scopes };
    } catch (error) {
      if (!(error instanceof TokenVerificationError)) throw error;
      const message = error.code === 'ERR_JWT_EXPIRED' ? 'Expired token' : 'Invalid token';
      throw new ManagementApiError(ManagementErrorCode.InvalidToken, message);
    }
  }
}
