import { AppConfig } from '@libs/config';
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
}
