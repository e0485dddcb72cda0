import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ClientOrigins } from './client-origins.port';
import {
  clientCorsHeaders,
  corsRouteKind,
  isPreflight,
  namedClientId,
  publicCorsHeaders,
} from './cors-policy';

/**
 * CORS for the routes of `cors-policy.ts`, mounted once by the api (`CLIENT_CORS_PATHS`, `PUBLIC_CORS_PATH`).
 *
 * A preflight carries no body, so it cannot name a client: it is allowed when SOME client lists the origin
 * (`ClientOrigins.listedByAnyClient`, an in-memory index). The request that follows names its client
 * (`client_id` in body or query, or Basic): only that client's origins get CORS headers, so a page another
 * client allows gets a preflight but cannot read the answer. A request that names no client (`/userinfo`
 * with a bearer token) is judged like a preflight. Preflights are answered here (204) and never reach a route.
 */
@Injectable()
export class CorsMiddleware implements NestMiddleware {
  constructor(private readonly origins: ClientOrigins) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const preflight = isPreflight(req.method, req.headers);
    try {
      if (corsRouteKind(req.originalUrl) === 'public') {
        res.set(publicCorsHeaders(preflight));
      } else {
        res.vary('Origin');
        const origin = req.headers.origin;
        if (origin && (await this.allows(origin, preflight ? undefined : namedClientId(req)))) {
          res.set(clientCorsHeaders(origin, preflight));
        }
      }
    } catch (error) {
      return next(error);
    }
    if (preflight) {
      res.status(204).end();
      return;
    }
    next();
  }

  private allows(origin: string, clientId: string | undefined): Promise<boolean> {
    return clientId === undefined
      ? this.origins.listedByAnyClient(origin)
      : this.origins.listedByClient(clientId, origin);
  }
}
