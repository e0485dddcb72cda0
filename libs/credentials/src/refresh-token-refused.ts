import { DomainError, INVALID_REFRESH_TOKEN, type CredentialState } from '@libs/domain';

/**
 * Why a presented refresh token was refused. For the audit trail only: every caller gets the same
 * answer (`invalid_refresh_token`), so a guesser learns nothing about which one it was.
 */
export type RefusalReason =
  | 'unknown_token'
  | 'revoked'
  | 'wrong_client'
  | 'user_blocked'
  | 'user_missing'
  /** `/delegation`'s id_token form: not a valid id_token of this tenant for the presenting client. */
  | 'invalid_id_token';

/** The credential a refused token named, when it named one. */
export type RefusedCredential = Pick<
  Extract<CredentialState, { credentialId: string }>,
  'credentialId' | 'userId' | 'clientId' | 'deviceName'
>;

/** `invalid_refresh_token`, with the reason and the credential the token named (never the token). */
export class RefreshTokenRefused extends DomainError {
  constructor(
    readonly reason: RefusalReason,
    readonly credential?: RefusedCredential,
  ) {
    super('invalid_refresh_token', INVALID_REFRESH_TOKEN);
    this.name = 'RefreshTokenRefused';
  }
}
