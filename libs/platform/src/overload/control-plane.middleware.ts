import { Injectable, RequestMethod, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ControlPlane } from '@libs/database';

/**
 * The control plane's routes: every way a credential is revoked or a user cut off. Their requests run
 * on the control plane from the first middleware on (the caller's authentication included), so their
 * statements take the control plane's own connections and statement lanes.
 */
export const CONTROL_PLANE_ROUTES: { path: string; method: RequestMethod }[] = [
  { path: 'api/v2/device-credentials/{*rest}', method: RequestMethod.DELETE },
  { path: 'oauth/revoke', method: RequestMethod.POST },
  { path: 'api/v2/users/{*rest}', method: RequestMethod.PATCH },
  { path: 'api/v2/users/{*rest}', method: RequestMethod.DELETE },
  { path: 'api/v2/user-blocks/{*rest}', method: RequestMethod.DELETE },
  { path: 'dashboard/users/{*rest}', method: RequestMethod.POST },
];

/** Runs the rest of the request on the control plane (see `ControlPlane`). */
@Injectable()
export class ControlPlaneMiddleware implements NestMiddleware {
  use(_req: Request, _res: Response, next: NextFunction): void {
    ControlPlane.run(next);
  }
}
