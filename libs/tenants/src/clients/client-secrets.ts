import { Injectable } from '@nestjs/common';
import { SecretKeys } from '@libs/security';
import { PasswordHashing } from '../passwords/password-hashing';
import type { Client } from './client';

/** What checking a presented client secret found. */
export type ClientSecretCheck =
  | { verified: false }
  | {
      verified: true;
      /**
       * The stored form to write in place of the client's (a compare-and-set), or `null` when it is current:
       * an scrypt hash from before issue 19, or a keyed hash under a previous server secret.
       */
      rehash: string | null;
    };

/**
 * Client secrets' stored form and its check. New secrets are stored as a keyed hash
 * (`SecretKeys.clientSecretHash`: HMAC-SHA-256 under a key derived from `SERVER_SECRET`, checked in
 * constant time in microseconds): a client secret is random, so a slow hash adds nothing, and scrypt made
 * every check one a stranger could ask for (issue 19, finding 2). A secret stored before (scrypt) is
 * checked with scrypt, in the process's bounded `PasswordHashing`, and hashed anew once it verifies;
 * `ClientSecretResealer` does it at boot for every client whose secret is also sealed (HS256).
 */
@Injectable()
export class ClientSecrets {
  constructor(
    private readonly keys: SecretKeys,
    private readonly passwords: PasswordHashing,
  ) {}

  /** The stored form of a new secret of `clientId`, under the current server secret. */
  hash(clientId: string, secret: string): string {
    return this.keys.clientSecretHash(clientId, secret);
  }

  /** Whether checking a secret of `client` costs a keyed hash only (false: an scrypt hash from before). */
  isKeyed(client: Client): boolean {
    return client.clientSecretHash !== null && SecretKeys.isClientSecretHash(client.clientSecretHash);
  }

  /** Whether `stored` is a keyed hash under the current server secret (nothing to hash anew). */
  isCurrentForm(stored: string): boolean {
    return SecretKeys.isClientSecretHash(stored) && stored.startsWith(`hmac-sha256$${this.keys.keyId}$`);
  }

  /** Whether `stored` is the current server secret's hash of `secret` (the seeding keeps such a row). */
  isCurrent(clientId: string, secret: string, stored: string | null): boolean {
    return stored !== null && this.keys.verifyClientSecretHash(clientId, secret, stored) === 'current';
  }

  /**
   * Checks `secret` against the client's stored form; never verified for a public client
   * (`token_endpoint_auth_method: none`), which has none. An scrypt hash may reject with `Overloaded`.
   *
   * @example
   * const check = await secrets.verify(client, body.client_secret);
   * if (!check.verified) throw new InvalidClient();
   */
  async verify(client: Client, secret: string): Promise<ClientSecretCheck> {
    const stored = client.clientSecretHash;
    if (client.tokenEndpointAuthMethod === 'none' || !stored) return { verified: false };
    if (SecretKeys.isClientSecretHash(stored)) {
      const match = this.keys.verifyClientSecretHash(client.clientId, secret, stored);
      if (!match) return { verified: false };
      return { verified: true, rehash: match === 'current' ? null : this.hash(client.clientId, secret) };
    }
    if (!(await this.passwords.verify(secret, stored))) return { verified: false };
    return { verified: true, rehash: this.hash(client.clientId, secret) };
  }

  /**
   * The current stored form of a client's secret recovered from its sealed copy, or `null` when the
   * stored form is current already or the sealed copy does not open: what the boot upgrade writes.
   */
  rehashFromSealed(clientId: string, stored: string, sealed: string | null): string | null {
    if (sealed === null || this.isCurrentForm(stored)) return null;
    let secret: string;
    try {
      secret = this.keys.openClientSecret(clientId, sealed);
    } catch {
      return null;
    }
    return this.hash(clientId, secret);
  }
}
