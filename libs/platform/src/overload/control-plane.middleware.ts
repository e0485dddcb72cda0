import { Injectable, RequestMethod, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ControlPlane } from '@libs/database';

/**
 * The control plane's routes: every way a credential is revoked or a user cut off (blocked, deleted).
 * Their requests run on the control plane from the first middleware on (the caller's authentication
 * included), so their statements take the control plane's own connections and statement lanes. The
 * paths are the controllers' own (Nest mounts middleware as routes: the OpenAPI spec lists them).
 */
export const CONTROL_PLANE_ROUTES: { path: string; method: RequestMethod }[] = [
  { path: 'api/v2/device-credentials/:id', method: RequestMethod.DELETE },
  { path: 'api/v2/refresh-tokens/:id', method: RequestMethod.DELETE },
  { path: 'api/v2/refresh-tokens/revoke', method: RequestMethod.POST },
  { path: 'api/v2/users/:id/refresh-tokens', method: RequestMethod.DELETE },
  { path: 'oauth/revoke', method: RequestMethod.POST },
  { path: 'api/v2/users/:id', method: RequestMethod.PATCH },
  { path: 'api/v2/users/:id', method: RequestMethod.DELETE },
  { path: 'dashboard/users/:id/devices/unlink', method: RequestMethod.POST },
];

/** Runs the rest of the request on the control plane (see `ControlPlane`). */
@Injectable()
export class ControlPlaneMiddleware implements NestMiddleware {
  use(_req: Request, _res: Response, next: NextFunction): void {
    ControlPlane.run(next);
  }
}
