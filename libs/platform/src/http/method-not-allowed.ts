import { METHODS } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { OAuthError } from './oauth-errors';

/** The part of an Express 5 router layer this reads: its path matcher and, for a route, its methods. */
interface RouteLayer {
  match(path: string): unknown;
  route?: { methods: Record<string, boolean> };
}

const KNOWN_PATHS = 1_000;

/** A path that exists, asked with a method it does not answer. */
export class MethodNotAllowed extends OAuthError {
  constructor(method: string, allowed: string[]) {
    super(405, 'method_not_allowed', `${method} is not allowed here; use ${allowed.join(', ')}.`, {
      Allow: allowed.join(', '),
    });
  }
}

/** The methods the registered routes answer on `path` (HEAD wherever GET is, as Express serves it). */
export function allowedMethods(layers: readonly RouteLayer[], path: string): string[] {
  const methods = new Set<string>();
  for (const layer of layers) {
    if (!layer.route || !matches(layer, path)) continue;
    const handled = Object.entries(layer.route.methods).filter(([method, on]) => on && method !== '_all');
    // Nest mounts module middleware (`forRoutes('*')`) as routes for every method: not an endpoint.
    if (handled.length >= METHODS.length) continue;
    for (const [method] of handled) methods.add(method.toUpperCase());
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/** Whether the layer serves `path`; a path it cannot decode is left to the router (and its own answer). */
function matches(layer: RouteLayer, path: string): boolean {
  try {
    return Boolean(layer.match(path));
  } catch {
    return false;
  }
}

/**
 * One fallback for every controller (RFC 9110 §15.5.6): a request whose path a route serves, but not with
 * its method, gets 405 with `Allow` and an OAuth-style body instead of the router's 404. It reads the
 * router's own table at request time, so it knows every route however it was registered. OPTIONS passes
 * on (CORS preflight and the router's automatic answer own it).
 */
export function methodNotAllowed(routes: () => readonly RouteLayer[]): RequestHandler {
  // Every request passes here, and matching a path against every route is not free: the answer per path
  // is remembered (the routes do not change once the app listens). Bounded: paths with ids are many.
  const known = new Map<string, string[]>();
  const allowedOn = (path: string) => {
    let allowed = known.get(path);
    if (allowed === undefined) {
      allowed = allowedMethods(routes(), path);
      if (known.size >= KNOWN_PATHS) known.clear();
      known.set(path, allowed);
    }
    return allowed;
  };
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method === 'OPTIONS') return next();
    const allowed = allowedOn(req.path);
    if (allowed.length === 0 || allowed.includes(req.method)) return next();
    next(new MethodNotAllowed(req.method, allowed));
  };
}
