import { Injectable } from '@nestjs/common';
import type { SignOptions } from '@libs/jwt';
import { UnauthorizedClient } from '@libs/platform';
import { SecretKeys } from '@libs/security';
import type { Client } from './client';

/** An HS256 client whose secret exists only as a hash (created before secrets were sealed). */
export class Hs256SecretUnavailable extends UnauthorizedClient {
  constructor() {
    super("HS256 id_tokens need the client's secret in recoverable form: rotate the client secret.");
  }
}

/**
 * The keys of a client's id_tokens: the tenant's key for RS256/ES256, the client's own secret for HS256
 * (Auth0's legacy default; the secret's UTF-8 bytes, as Auth0's SDKs verify it). The secret is opened
 * from its sealed form per call — AES-GCM on 64 bytes, microseconds — and never kept or logged.
 *
 * @example
 * const signed = await signer.sign(claims, idTokenKeys.signOptions(target));
 */
@Injectable()
export class IdTokenKeys {
  constructor(private readonly keys: SecretKeys) {}

  /** How id_tokens for `client` (their `aud`) are signed; throws `Hs256SecretUnavailable` when it cannot be. */
  signOptions(client: Client): SignOptions {
    const lifetimeSeconds = client.idTokenLifetimeSeconds;
    if (client.idTokenAlg !== 'HS256') return { alg: client.idTokenAlg, lifetimeSeconds };
    return { alg: 'HS256', key: this.sharedKey(client), lifetimeSeconds };
  }

  /** The key an HS256 id_token issued to `client` verifies with; `undefined` unless the client uses HS256. */
  verificationKey(client: Client): Uint8Array | undefined {
    return client.idTokenAlg === 'HS256' ? this.sharedKey(client) : undefined;
  }

  private sharedKey(client: Client): Uint8Array {
    if (!client.clientSecretCipher) throw new Hs256SecretUnavailable();
    return new TextEncoder().encode(this.keys.openClientSecret(client.clientId, client.clientSecretCipher));
  }
}
