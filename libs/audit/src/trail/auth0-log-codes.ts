import type { IdTokenDelegated, IssuingGrant, RevocationReason } from '@libs/domain';

/** What happened, as far as Auth0's log vocabulary tells occurrences apart. */
export type LoggedOccurrence =
  | { type: 'TokenIssued'; grant: IssuingGrant }
  | { type: 'IdTokenDelegated'; via: IdTokenDelegated['data']['via'] }
  | { type: 'TokenRevoked'; reason: RevocationReason; actor: string }
  | { type: 'DelegationFailed'; endpoint: IdTokenDelegated['data']['via'] }
  | { type: 'TokenRotated' | 'RefreshTokenReused' | 'TokenExpired' };

/** An Auth0 log event code, and a second one when Auth0 would also log the cause. */
export interface Auth0LogCode {
  code: string;
  related: string | null;
}

/** Management API callers act as `<client_id>@clients` (client-credentials tokens). */
const MANAGEMENT_API_CALLER = /@clients$/;

/**
 * The Auth0 log event code an auditor would look for (Auth0 "Log event type codes"):
 *
 * - `seacft` / `sepft`: refresh token issued by the authorization-code / password exchange;
 * - `sd` / `sertft`: id_token delegated through `/delegation` / the refresh_token grant;
 * - `fd` / `fertft`: a refresh token refused at `/delegation` / the refresh_token grant;
 * - `srrt`: refresh token revoked; also `sapi` when a Management API caller did it, `feacft` (a
 *   failed code exchange) when a replayed authorization code caused it, `ferrt` when a reuse did;
 * - `ferrt`: a rotated-out refresh token reused (the family is revoked with it);
 * - `sertft` for a rotation (the refresh-token exchange that rotated), `fertft` for an expiry observed
 *   (the exchange it refused).
 */
export function auth0LogCode(occurrence: LoggedOccurrence): Auth0LogCode {
  switch (occurrence.type) {
    case 'TokenIssued':
      return { code: occurrence.grant === 'password' ? 'sepft' : 'seacft', related: null };
    case 'IdTokenDelegated':
      return { code: occurrence.via === 'refresh_token' ? 'sertft' : 'sd', related: null };
    case 'DelegationFailed':
      return { code: occurrence.endpoint === 'delegation' ? 'fd' : 'fertft', related: null };
    case 'TokenRevoked':
      if (occurrence.reason === 'authorization_code_replay') return { code: 'srrt', related: 'feacft' };
      if (occurrence.reason === 'refresh_token_reuse') return { code: 'srrt', related: 'ferrt' };
      return { code: 'srrt', related: MANAGEMENT_API_CALLER.test(occurrence.actor) ? 'sapi' : null };
    case 'TokenRotated':
      return { code: 'sertft', related: null };
    case 'RefreshTokenReused':
      return { code: 'ferrt', related: null };
    case 'TokenExpired':
      return { code: 'fertft', related: null };
    default: {
      const _exhaustive: never = occurrence;
      return _exhaustive;
    }
  }
}
