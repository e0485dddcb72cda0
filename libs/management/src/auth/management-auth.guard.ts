import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '@libs/config';
import { TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import { ACCESS_TOKEN_TYP, managementAudience, missingScopes, parseScope } from '../management-scopes';

/** Metadata key under which `@RequireScopes` stores the scopes a handler needs. */
export const REQUIRED_SCOPES = 'management:required-scopes';

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
    request[MANAGEMENT_PRINCIPAL] = principal;
    return true;
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
