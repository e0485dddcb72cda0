import { AppConfig } from '@libs/config';
import { openSecret, sealSecret } from './sealed-secret';
import { deriveKey, keyedHash, type KeyPurpose } from './secrets';

/** The per-purpose keys of this process, derived once from `SERVER_SECRET`. Injectable. */
export class SecretKeys {
  private readonly keys = new Map<KeyPurpose, Buffer>();

  constructor(private readonly serverSecret: string) {}

  static fromConfig(config: AppConfig): SecretKeys {
    return new SecretKeys(config.serverSecret);
  }

  key(purpose: KeyPurpose): Buffer {
    let key = this.keys.get(purpose);
    if (!key) {
      key = deriveKey(this.serverSecret, purpose);
      this.keys.set(purpose, key);
    }
    return key;
  }

  /** The stored form of a refresh token (Guarantee 4: only ever a keyed hash). */
  refreshTokenHash(token: string): string {
    return keyedHash(this.key('refresh-token-hash'), token);
  }

  /** The stored form of an authorization code. */
  authorizationCodeHash(code: string): string {
    return keyedHash(this.key('authorization-code-hash'), code);
  }

  /**
   * A client secret in recoverable form, for HS256 id_tokens (signed with the client's secret): sealed
   * with AES-256-GCM under the `client-secret-encryption` key, bound to its client id.
   */
  sealClientSecret(clientId: string, secret: string): string {
    return sealSecret(this.key('client-secret-encryption'), clientId, secret);
  }

  /** Opens `sealClientSecret`'s output; throws `SealedSecretError` when it does not authenticate. */
  openClientSecret(clientId: string, sealed: string): string {
    return openSecret(this.key('client-secret-encryption'), clientId, sealed);
  }
}
