import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { MANAGEMENT_PRINCIPAL, type ManagementPrincipal } from './management-auth.guard';

/** Who made this Management API call, for the events it causes. */
export interface Caller {
  /** `<client_id>@clients` for client-credentials tokens. */
  actor: string;
  /** The request id, carried as the events' correlation id. */
  correlationId: string;
}

/** Injects the authenticated caller (set by `ManagementAuthGuard`) and the request id. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const req = ctx.switchToHttp().getRequest<Request & { [MANAGEMENT_PRINCIPAL]?: ManagementPrincipal }>();
  return { actor: req[MANAGEMENT_PRINCIPAL]?.subject ?? 'unknown', correlationId: String(req.id ?? '') };
});
