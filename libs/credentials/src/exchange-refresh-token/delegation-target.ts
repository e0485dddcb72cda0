import { JWT_BEARER_GRANT, type Client } from '@libs/tenants';
import type { ExchangeRequest } from './exchange-refresh-token.command';
import { TargetNotAllowed } from './exchange-refusals';

/**
 * The target's rules for an exchange that signs for it: at `/delegation` the target must accept the
 * jwt-bearer grant, and another client may target it only when its `allowed_clients` names that client
 * (issue 19 finding 10) — the id_token is signed with the target's key, with its HS256 secret when it uses
 * HS256, so the target decides who may have it signed. A client may always target itself.
 *
 * @example
 * assertTargetAllows(target, request.client, request.via); // or throws TargetNotAllowed
 */
export function assertTargetAllows(target: Client, client: Client, via: ExchangeRequest['via']): void {
  if (via === 'delegation' && !target.grantTypes.includes(JWT_BEARER_GRANT)) {
    throw new TargetNotAllowed(target.clientId, 'jwt_bearer_grant');
  }
  if (target.clientId !== client.clientId && !(target.allowedClients ?? []).includes(client.clientId)) {
    throw new TargetNotAllowed(target.clientId, 'allowed_clients');
  }
}
