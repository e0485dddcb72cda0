import {
  createParamDecorator,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { SecretKeys } from '@libs/security';
import { DashboardSessions, type DashboardSession } from '../sessions/dashboard-sessions';
import { isSessionToken } from '../sessions/session-token';
import { isSameOriginRequest, verifyCsrfToken } from './csrf';
import { dashboardCookies, readCookie, type CookieSpec } from './dashboard-cookies';
import { DashboardPaths } from './dashboard-paths';
import { DashboardError, DashboardErrorCode } from './dashboard.error';

const SIGNED_OUT = 'dashboard:signed-out';
const SESSION = Symbol('dashboard session');
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type DashboardRequest = Request & { [SESSION]?: DashboardSession };

/** Marks a route served without a session (the login page and form); the Origin check still applies. */
export const SignedOut = (): MethodDecorator => SetMetadata(SIGNED_OUT, true);

/** Injects the session `DashboardGuard` found for this request. */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): DashboardSession => {
  const session = ctx.switchToHttp().getRequest<DashboardRequest>()[SESSION];
  if (!session) throw new DashboardError(DashboardErrorCode.LoginRequired, 'no session on this route');
  return session;
});

/**
 * Every dashboard request passes here. A state-changing one must come from our own origin; a page needs a
 * live session (else the browser goes to the login page); a form posted in a session must carry that
 * session's CSRF token. Checked in that order, so a cross-site post is refused before any database read.
 */
@Injectable()
export class DashboardGuard implements CanActivate {
  private readonly sessionCookie: CookieSpec;
  /** The current server secret's CSRF key, then previous secrets' (a form served before a rotation). */
  private readonly csrfKeys: readonly Buffer[];

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: DashboardSessions,
    private readonly keys: SecretKeys,
    private readonly paths: DashboardPaths,
  ) {
    this.sessionCookie = dashboardCookies(paths).session;
    this.csrfKeys = keys.acceptedKeys('csrf').map(({ key }) => key);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<DashboardRequest>();
    const changesState = !SAFE_METHODS.has(req.method);
    if (changesState && !isSameOriginRequest(req.headers, this.paths.origin)) {
      throw new DashboardError(DashboardErrorCode.CrossSiteRequest, 'form posted from another origin');
    }
    if (this.reflector.get<boolean>(SIGNED_OUT, context.getHandler())) return true;

    const token = readCookie(req.headers.cookie, this.sessionCookie.name);
    const session = isSessionToken(token) ? await this.sessions.find(token, new Date()) : null;
    if (!session) throw new DashboardError(DashboardErrorCode.LoginRequired, 'no valid session');
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (changesState && !verifyCsrfToken(this.csrfKeys, { session: session.token }, body.csrf_token)) {
      throw new DashboardError(DashboardErrorCode.InvalidCsrfToken, 'form without this session’s CSRF token');
    }
    req[SESSION] = session;
    return true;
  }
}
