import { AppConfig } from '@libs/config';
import { openSecret, sealSecret, SealedSecretError } from './sealed-secret';
import { constantTimeEqual, deriveKey, keyedHash, secretKeyId, type KeyPurpose } from './secrets';

/** One server secret's key for a purpose, named by the secret's public id. */
export interface KeyVersion {
  /** `secretKeyId` of the secret the key is derived from. */
  readonly keyId: string;
  readonly key: Buffer;
}

/** Told each time something made under a previous secret is accepted: while it is, that secret is in use. */
export type PreviousKeyListener = (use: { purpose: KeyPurpose; keyId: string }) => void;

// A sealed value names its key by a `<key id>.` prefix to `sealSecret`'s `v1.…`; none: sealed before key ids.
const KEY_ID = /^[0-9a-f]{8}$/;
/** `clientSecretHash`'s output: the scheme, the key id, the MAC. */
const CLIENT_SECRET_HASH = /^hmac-sha256\$([0-9a-f]{8})\$([A-Za-z0-9_-]{43})$/;

/** What `verifyClientSecretHash` found: a match under the current key, under a previous one, or none. */
export type ClientSecretMatch = 'current' | 'previous' | false;

/**
 * The per-purpose keys of this process (HKDF, derived once per purpose) of `SERVER_SECRET` and of each of
 * `SERVER_SECRETS_PREVIOUS`, so that the root secret can rotate. Everything new is made under the current
 * secret; what a previous one made is still accepted: keyed hashes are looked up under the current key
 * first, then under each previous key (`findByHash`), and sealed values carry their secret's key id
 * (`seal`, `open`). Injectable.
 *
 * @example
 * const keys = new SecretKeys(newSecret, [oldSecret]);
 * await keys.findByHash('refresh-token-hash', token, (hash) => lookup.byTokenHash(hash)); // either secret's
 * keys.openClientSecret(clientId, sealedUnderOld); // opens; sealClientSecret seals under newSecret
 */
export class SecretKeys {
  /** The current secret's key id (`secretKeyId`): the prefix of every value sealed now. */
  readonly keyId: string;
  /** The previous secrets' key ids, in the configured order. */
  readonly previousKeyIds: readonly string[];
  private readonly secrets: readonly { keyId: string; secret: string }[];
  private readonly derived = new Map<KeyPurpose, readonly KeyVersion[]>();
  private readonly listeners: PreviousKeyListener[] = [];

  constructor(serverSecret: string, previousSecrets: readonly string[] = []) {
    this.secrets = [serverSecret, ...previousSecrets].map((secret) => ({
      keyId: secretKeyId(secret),
      secret,
    }));
    const ids = this.secrets.map(({ keyId }) => keyId);
    if (new Set(ids).size < ids.length) {
      throw new Error(
        'SERVER_SECRET and SERVER_SECRETS_PREVIOUS must be distinct: two of them share a key id',
      );
    }
    this.keyId = ids[0];
    this.previousKeyIds = ids.slice(1);
  }

  static fromConfig(config: AppConfig): SecretKeys {
    return new SecretKeys(config.serverSecret, config.previousServerSecrets);
  }

  /** The current secret's key for `purpose`: what every new hash, seal and MAC is made with. */
  key(purpose: KeyPurpose): Buffer {
    return this.acceptedKeys(purpose)[0].key;
  }

  /** Every key accepted for `purpose`: the current secret's first, then each previous secret's. */
  acceptedKeys(purpose: KeyPurpose): readonly KeyVersion[] {
    let keys = this.derived.get(purpose);
    if (!keys) {
      keys = this.secrets.map(({ keyId, secret }) => ({ keyId, key: deriveKey(secret, purpose) }));
      this.derived.set(purpose, keys);
    }
    return keys;
  }

  /** The stored form of a refresh token (Guarantee 4: only ever a keyed hash), under the current key. */
  refreshTokenHash(token: string): string {
    return keyedHash(this.key('refresh-token-hash'), token);
  }

  /** The stored form of an authorization code, under the current key. */
  authorizationCodeHash(code: string): string {
    return keyedHash(this.key('authorization-code-hash'), code);
  }

  /** `value`'s keyed hash under every accepted key, the current one first: to look them all up at once. */
  keyedHashes(purpose: KeyPurpose, value: string): string[] {
    return this.acceptedKeys(purpose).map(({ key }) => keyedHash(key, value));
  }

  /**
   * What `find` answers for `value`'s keyed hash under the current key, else under each previous key in
   * turn (a value made before the rotation), with the hash it was found by; null when none finds it. A
   * value of the current secret costs one hash and one `find`, as it would without previous secrets.
   */
  async findByHash<T>(
    purpose: KeyPurpose,
    value: string,
    find: (hash: string) => Promise<T | null>,
  ): Promise<{ found: T; hash: string } | null> {
    const [current, ...previous] = this.acceptedKeys(purpose);
    const hash = keyedHash(current.key, value);
    const found = await find(hash);
    if (found !== null) return { found, hash };
    for (const { keyId, key } of previous) {
      const hash = keyedHash(key, value);
      const found = await find(hash);
      if (found === null) continue;
      this.notePreviousKeyUse(purpose, keyId);
      return { found, hash };
    }
    return null;
  }

  /**
   * Encrypts `plaintext` for storage under the current key for `purpose` (`sealSecret`: AES-256-GCM,
   * `context` authenticated), prefixed with the key id that opens it: `<key id>.v1.…`.
   */
  seal(purpose: KeyPurpose, context: string, plaintext: string): string {
    return `${this.keyId}.${sealSecret(this.key(purpose), context, plaintext)}`;
  }

  /**
   * Opens `seal`'s output with the key its id names, or a value sealed before key ids (`v1.…`) with
   * whichever accepted key opens it, the current one first. Throws `SealedSecretError` when none does.
   */
  open(purpose: KeyPurpose, context: string, sealed: string): string {
    const keys = this.acceptedKeys(purpose);
    const dot = sealed.indexOf('.');
    const keyId = dot < 0 ? '' : sealed.slice(0, dot);
    if (KEY_ID.test(keyId)) {
      const version = keys.find((k) => k.keyId === keyId);
      if (!version) throw new SealedSecretError({ keyId });
      const plaintext = openSecret(version.key, context, sealed.slice(dot + 1));
      if (version !== keys[0]) this.notePreviousKeyUse(purpose, keyId);
      return plaintext;
    }
    let refusal: unknown;
    for (const [index, version] of keys.entries()) {
      try {
        const plaintext = openSecret(version.key, context, sealed);
        if (index > 0) this.notePreviousKeyUse(purpose, version.keyId);
        return plaintext;
      } catch (error) {
        refusal = error;
      }
    }
    throw refusal;
  }

  /**
   * `sealed` as the current key opens it: unchanged when it does (named by the current key id, or sealed
   * before key ids under the current secret), else opened with a previous secret's key and sealed anew
   * under the current one. Throws `SealedSecretError` when it does not open.
   */
  reseal(purpose: KeyPurpose, context: string, sealed: string): string {
    if (sealed.startsWith(`${this.keyId}.`) || this.opensUnnamed(this.key(purpose), context, sealed))
      return sealed;
    return this.seal(purpose, context, this.open(purpose, context, sealed));
  }

  /**
   * A client secret in recoverable form, for HS256 id_tokens (signed with the client's secret): sealed
   * with AES-256-GCM under the `client-secret-encryption` key, bound to its client id.
   */
  sealClientSecret(clientId: string, secret: string): string {
    return this.seal('client-secret-encryption', clientId, secret);
  }

  /** Opens `sealClientSecret`'s output; throws `SealedSecretError` when it does not authenticate. */
  openClientSecret(clientId: string, sealed: string): string {
    return this.open('client-secret-encryption', clientId, sealed);
  }

  /**
   * The stored form of a client secret: HMAC-SHA-256 under the current `client-secret-hash` key over the
   * client id and the secret, `hmac-sha256$<key id>$<mac>`. A client secret is 384 random bits
   * (`newClientSecret`): a slow hash adds nothing against guessing it, and made every check of one a
   * scrypt run a stranger could ask for (issue 19, finding 2). Bound to the client id: a hash copied onto
   * another client does not verify there.
   */
  clientSecretHash(clientId: string, secret: string): string {
    return `hmac-sha256$${this.keyId}$${keyedHash(this.key('client-secret-hash'), clientMac(clientId, secret))}`;
  }

  /** Whether `stored` is `clientSecretHash`'s output (else: an scrypt hash from before issue 19). */
  static isClientSecretHash(stored: string): boolean {
    return CLIENT_SECRET_HASH.test(stored);
  }

  /**
   * Checks `secret` against `clientSecretHash`'s output, in constant time: `current` under the current
   * key, `previous` under a previous secret's (hash it anew), `false` for a mismatch, a key id no accepted
   * secret has, or a value of another form.
   */
  verifyClientSecretHash(clientId: string, secret: string, stored: string): ClientSecretMatch {
    const match = CLIENT_SECRET_HASH.exec(stored);
    if (!match) return false;
    const [, keyId, mac] = match;
    const version = this.acceptedKeys('client-secret-hash').find((k) => k.keyId === keyId);
    if (!version || !constantTimeEqual(keyedHash(version.key, clientMac(clientId, secret)), mac))
      return false;
    if (keyId === this.keyId) return 'current';
    this.notePreviousKeyUse('client-secret-hash', keyId);
    return 'previous';
  }

  /** Calls `listener` each time a hash or a sealed value is accepted under a previous secret's key. */
  onPreviousKeyUse(listener: PreviousKeyListener): void {
    this.listeners.push(listener);
  }

  private opensUnnamed(key: Buffer, context: string, sealed: string): boolean {
    try {
      openSecret(key, context, sealed);
      return true;
    } catch {
      return false;
    }
  }

  private notePreviousKeyUse(purpose: KeyPurpose, keyId: string): void {
    for (const listener of this.listeners) listener({ purpose, keyId });
  }
}

// NUL cannot occur in a client id (the repository refuses it), so no two (id, secret) pairs share a message.
const clientMac = (clientId: string, secret: string) => `${clientId}\0${secret}`;
