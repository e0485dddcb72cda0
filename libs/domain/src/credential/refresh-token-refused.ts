import { DomainError } from '../errors';
import type { CredentialState, RefusalReason } from './credential.decider';

/** The description Auth0 gives for every unusable refresh token; SDKs match on it. */
export const INVALID_REFRESH_TOKEN = 'Unknown or invalid refresh token.';

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
