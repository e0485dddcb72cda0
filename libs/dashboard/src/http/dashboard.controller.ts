import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Get,
  Logger,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LoginAttemptLimiter, SecretKeys } from '@libs/security';
import { CommandBus } from '@nestjs/cqrs';
import { DeviceCredentialQueries, RevokeCredentials } from '@libs/credentials';
import { ClientRepository, type User, UserRepository } from '@libs/tenants';
import { API_TAGS } from '@libs/platform';
import { DashboardAdmins } from '../admins/dashboard-admins';
import { renderLoginPage } from '../pages/login.page';
import { counted } from '../pages/format';
import type { Chrome } from '../pages/layout';
import { renderUnlinkPage } from '../pages/unlink.page';
import { renderUserPage, type DeviceRow } from '../pages/user.page';
import { renderUsersPage } from '../pages/users.page';
import { DashboardSessions, type DashboardSession } from '../sessions/dashboard-sessions';
import { isSessionToken, newSessionToken } from '../sessions/session-token';
import { csrfToken, verifyCsrfToken } from './csrf';
import { clearingOptions, dashboardCookies, readCookie, type CookieSpec } from './dashboard-cookies';
import { DashboardExceptionFilter } from './dashboard-exception.filter';
import {
  ApiDashboardConfirmUnlink,
  ApiDashboardHome,
  ApiDashboardLogin,
  ApiDashboardLoginPage,
  ApiDashboardLogout,
  ApiDashboardUnlink,
  ApiDashboardUser,
  ApiDashboardUsers,
} from './dashboard.openapi';
import { DashboardPaths } from './dashboard-paths';
import { DashboardError, DashboardErrorCode } from './dashboard.error';
import { CurrentSession, DashboardGuard, SignedOut } from './dashboard.guard';

/** Users per page of the list. */
export const USERS_PER_PAGE = 25;
/** Shown for an unknown email and a wrong password alike, so the page never tells which it was. */
export const WRONG_CREDENTIALS = 'Wrong email or password.';

const MAX_SEARCH_LENGTH = 200;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The administrators' dashboard under `PUBLIC_URL/dashboard`: login, the users list with search, a user's
 * devices, and unlinking a device (revoking its refresh tokens). Server-rendered HTML without script;
 * a form that changes something is answered with a redirect (Post/Redirect/Get).
 */
@ApiTags(API_TAGS.dashboard)
@Controller('dashboard')
@UseGuards(DashboardGuard)
@UseFilters(DashboardExceptionFilter)
export class DashboardController {
  private readonly logger = new Logger(DashboardController.name);
  private readonly cookies: { session: CookieSpec; loginForm: CookieSpec };

  constructor(
    private readonly paths: DashboardPaths,
    private readonly admins: DashboardAdmins,
    private readonly sessions: DashboardSessions,
    private readonly keys: SecretKeys,
    private readonly limiter: LoginAttemptLimiter,
    private readonly users: UserRepository,
    private readonly clients: ClientRepository,
    private readonly devices: DeviceCredentialQueries,
    private readonly commands: CommandBus,
  ) {
    this.cookies = dashboardCookies(paths);
  }

  /** The dashboard's home is the users list. */
  @Get()
  @ApiDashboardHome()
  home(@Res() res: Response): void {
    redirect(res, 302, this.paths.users());
  }

  /** The login form; an administrator already logged in goes on to the users list. */
  @Get('login')
  @SignedOut()
  @ApiDashboardLoginPage()
  async loginPage(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = readCookie(req.headers.cookie, this.cookies.session.name);
    if (isSessionToken(token) && (await this.sessions.find(token, new Date()))) {
      return redirect(res, 302, this.paths.users());
    }
    this.showLogin(req, res, 200, '', null);
  }

  /** Checks the login form's CSRF token, then the credentials; starts a session and goes to the users list. */
  @Post('login')
  @SignedOut()
  @ApiDashboardLogin()
  async login(
    @Body() body: Record<string, unknown> | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const form = body ?? {};
    // Login CSRF (an attacker logging the browser into their own account) is refused like any other.
    const formCookie = readCookie(req.headers.cookie, this.cookies.loginForm.name);
    if (
      !isSessionToken(formCookie) ||
      !verifyCsrfToken(
        this.keys.acceptedKeys('csrf').map(({ key }) => key),
        { loginForm: formCookie },
        form.csrf_token,
      )
    ) {
      throw new DashboardError(DashboardErrorCode.InvalidCsrfToken, 'login form without its CSRF token');
    }
    const email = text(form.email).trim();
    const password = text(form.password);
    if (!email || !password) return this.showLogin(req, res, 200, email, 'Enter your email and password.');

    // Counted before scrypt runs, in one atomic step (issue 19, finding 3), keyed by the address's /64 for
    // IPv6 (`attemptKey`): parallel guesses cannot all pass a check made before any of them failed.
    const attempt = await this.limiter.begin(req.ip ?? req.socket.remoteAddress ?? '', email);
    if (attempt.refusal) {
      return this.showLogin(
        req,
        res,
        429,
        email,
        'Too many failed attempts. Wait a few minutes, then try again.',
        {
          'Retry-After': String(attempt.refusal.retryAfterSeconds),
        },
      );
    }
    let admin;
    try {
      admin = await this.admins.verifyPassword(email, password);
    } catch (error) {
      await attempt.abandoned();
      throw error;
    }
    if (!admin) {
      this.logger.warn({ msg: 'dashboard login failed' });
      return this.showLogin(req, res, 200, email, WRONG_CREDENTIALS);
    }
    await attempt.succeeded();
    // A fresh session token at every login: a token planted before the login is never promoted.
    const { token } = await this.sessions.start(admin, new Date());
    res.cookie(this.cookies.session.name, token, this.cookies.session.options);
    res.clearCookie(this.cookies.loginForm.name, clearingOptions(this.cookies.loginForm));
    this.logger.log({ msg: 'dashboard login', admin: admin.email });
    redirect(res, 303, this.paths.users());
  }

  /** Ends the session on the server and forgets its cookie. */
  @Post('logout')
  @ApiDashboardLogout()
  async logout(@CurrentSession() session: DashboardSession, @Res() res: Response): Promise<void> {
    await this.sessions.end(session.token);
    res.clearCookie(this.cookies.session.name, clearingOptions(this.cookies.session));
    redirect(res, 303, this.paths.login);
  }

  /** The users list: a search on email, name and nickname, 25 per page, by email. */
  @Get('users')
  @ApiDashboardUsers()
  async usersPage(
    @Query('q') q: unknown,
    @Query('page') page: unknown,
    @CurrentSession() session: DashboardSession,
    @Res() res: Response,
  ): Promise<void> {
    const search = text(q).trim().slice(0, MAX_SEARCH_LENGTH);
    const pageNumber = /^\d{1,6}$/.test(text(page)) ? Math.max(1, Number(page)) : 1;
    const found = await this.users.list({
      page: pageNumber - 1,
      perPage: USERS_PER_PAGE,
      // A bare term: a case-insensitive substring of the email, name or nickname.
      search: search ? [{ field: 'any', value: search, match: 'contains' }] : [],
      sort: { field: 'email', descending: false },
    });
    const start = (pageNumber - 1) * USERS_PER_PAGE;
    sendHtml(
      res,
      200,
      renderUsersPage({
        chrome: this.chrome(session),
        q: search,
        searchAction: this.paths.users(),
        users: found.items.map((u) => ({
          href: this.paths.user(u.userId),
          email: u.email,
          name: u.name,
          blocked: u.blocked,
          createdAt: u.createdAt,
          lastLogin: u.lastLogin,
          loginsCount: u.loginsCount,
        })),
        start,
        total: found.total,
        previous: pageNumber > 1 ? this.paths.users({ q: search, page: pageNumber - 1 }) : null,
        next:
          start + found.items.length < found.total
            ? this.paths.users({ q: search, page: pageNumber + 1 })
            : null,
      }),
    );
  }

  /** A user's details and Devices tab, with the outcome of the last unlink if there is one. */
  @Get('users/:id')
  @ApiDashboardUser()
  async userPage(
    @Param('id') userId: string,
    @CurrentSession() session: DashboardSession,
    @Res() res: Response,
  ): Promise<void> {
    const user = await this.findUser(userId);
    const devices = await this.devicesOf(user);
    const flash = session.hasFlash ? await this.sessions.takeFlash(session.token) : null;
    sendHtml(
      res,
      200,
      renderUserPage({
        chrome: this.chrome(session),
        usersUrl: this.paths.users(),
        user,
        devices,
        flash,
      }),
    );
  }

  /** The confirmation behind a device's ✕; a device with nothing left to revoke goes back to the user. */
  @Get('users/:id/devices/unlink')
  @ApiDashboardConfirmUnlink()
  async confirmUnlink(
    @Param('id') userId: string,
    @Query('client_id') clientId: unknown,
    @Query('device') deviceName: unknown,
    @CurrentSession() session: DashboardSession,
    @Res() res: Response,
  ): Promise<void> {
    const user = await this.findUser(userId);
    const device = (await this.devicesOf(user)).find(
      (d) => d.clientId === text(clientId) && d.deviceName === text(deviceName),
    );
    if (!device) {
      await this.sessions.setFlash(
        session.token,
        `${text(deviceName) || 'This device'} has no active refresh tokens.`,
      );
      return redirect(res, 303, this.paths.user(user.userId));
    }
    sendHtml(
      res,
      200,
      renderUnlinkPage({
        chrome: this.chrome(session),
        userEmail: user.email,
        userUrl: this.paths.user(user.userId),
        deviceName: device.deviceName,
        clientId: device.clientId,
        clientName: device.clientName,
        tokenCount: device.tokenCount,
        action: this.paths.unlink(user.userId),
      }),
    );
  }

  /** Revokes every refresh token of the device (durable before the redirect), then shows the user again. */
  @Post('users/:id/devices/unlink')
  @ApiDashboardUnlink()
  async unlink(
    @Param('id') userId: string,
    @Body() body: Record<string, unknown> | undefined,
    @CurrentSession() session: DashboardSession,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const user = await this.findUser(userId);
    const clientId = text(body?.client_id);
    const deviceName = text(body?.device);
    if (!clientId || !deviceName) {
      throw new DashboardError(DashboardErrorCode.BadRequest, 'unlink without client_id and device');
    }
    const actor = `dashboard:${session.admin.email}`;
    const revoked = await this.commands.execute(
      new RevokeCredentials(
        { userId: user.userId, clientId, deviceName },
        'dashboard_unlink',
        actor,
        requestId(req),
      ),
    );
    this.logger.log({ msg: 'device unlinked', userId: user.userId, clientId, deviceName, revoked, actor });
    await this.sessions.setFlash(
      session.token,
      revoked > 0
        ? `Unlinked ${deviceName}: ${counted(revoked, 'refresh token')} revoked`
        : `${deviceName} had no active refresh tokens; nothing was revoked`,
    );
    redirect(res, 303, this.paths.user(user.userId));
  }

  private async findUser(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new DashboardError(DashboardErrorCode.UserNotFound, 'unknown user');
    return user;
  }

  /** The user's devices with their applications' names (a handful of look-ups: users have few apps). */
  private async devicesOf(user: User): Promise<DeviceRow[]> {
    const devices = await this.devices.devicesOf(user.userId);
    const names = new Map<string, string | null>();
    for (const clientId of new Set(devices.map((d) => d.client_id))) {
      names.set(clientId, (await this.clients.findById(clientId))?.name ?? null);
    }
    const rows = devices.map((d) => ({
      deviceName: d.device_name,
      clientId: d.client_id,
      clientName: names.get(d.client_id) ?? null,
      tokenCount: d.token_count,
      createdAt: d.created_at,
      lastUsedAt: d.last_used_at,
      unlinkHref: this.paths.unlink(user.userId, { clientId: d.client_id, deviceName: d.device_name }),
    }));
    // As people read a list, not as the database collates it: "iPad" beside "iPhone", not after "Z".
    const byText = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true });
    return rows.sort(
      (a, b) =>
        byText(a.deviceName, b.deviceName) ||
        byText(a.clientName ?? '', b.clientName ?? '') ||
        byText(a.clientId, b.clientId),
    );
  }

  private chrome(session: DashboardSession): Chrome {
    return {
      tenantName: this.paths.tenantName,
      adminEmail: session.admin.email,
      usersUrl: this.paths.users(),
      logoutAction: this.paths.logout,
      csrfToken: csrfToken(this.keys.key('csrf'), { session: session.token }),
    };
  }

  private showLogin(
    req: Request,
    res: Response,
    status: number,
    email: string,
    error: string | null,
    headers: Record<string, string> = {},
  ): void {
    // Reusing a login-form cookie we issued keeps a login page open in another tab valid.
    const existing = readCookie(req.headers.cookie, this.cookies.loginForm.name);
    const formCookie = isSessionToken(existing) ? existing : newSessionToken();
    res.cookie(this.cookies.loginForm.name, formCookie, this.cookies.loginForm.options);
    res.set(headers);
    sendHtml(
      res,
      status,
      renderLoginPage({
        tenantName: this.paths.tenantName,
        action: this.paths.login,
        csrfToken: csrfToken(this.keys.key('csrf'), { loginForm: formCookie }),
        email,
        error,
      }),
    );
  }
}

function sendHtml(res: Response, status: number, page: string): void {
  res.status(status).type('html').send(page);
}

/** 302 for a plain redirect; 303 after a form, so the browser follows with a GET (Post/Redirect/Get). */
function redirect(res: Response, status: 302 | 303, location: string): void {
  res.status(status).setHeader('Location', location);
  res.end();
}

/** The request id pino-http gave this request (the events' correlation id), or a new one without it. */
function requestId(req: Request): string {
  const id = (req as Request & { id?: unknown }).id;
  return id === undefined || id === null || id === '' ? randomUUID() : String(id);
}
