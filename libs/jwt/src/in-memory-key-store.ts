import { KeyRing, stillVerifies } from './key-ring';
import { KeyStore, SIGNING_ALGS, type JsonWebKeySet, type SigningAlg } from './ports';
import { generateKeyPairFor, type SigningKey, type VerificationKey } from './signing-key';

/**
 * A key store that lives in one process: for unit tests of code that signs or verifies tokens.
 *
 * @example
 * const keys = await InMemoryKeyStore.create();
 * const signer = new JoseTokenSigner(keys, 'https://tenant.example.com/');
 */
export class InMemoryKeyStore extends KeyStore implements KeyRing {
  private readonly current = new Map<SigningAlg, SigningKey>();
  private readonly published = new Map<string, VerificationKey>();

  /** `retireAfterSeconds`: how long a rotated key keeps verifying (the longest token lifetime). */
  constructor(private readonly retireAfterSeconds = 36_000) {
    super();
  }

  /** A store with a current key for every algorithm. */
  static async create(options: { retireAfterSeconds?: number } = {}): Promise<InMemoryKeyStore> {
    const store = new InMemoryKeyStore(options.retireAfterSeconds);
    for (const alg of SIGNING_ALGS) await store.rotate(alg);
    return store;
  }

  signingKey(alg: SigningAlg): SigningKey {
    const key = this.current.get(alg);
    if (!key) throw new Error(`No current ${alg} signing key`);
    return key;
  }

  verificationKey(kid: string): VerificationKey | undefined {
    const key = this.published.get(kid);
    return key && stillVerifies(key) ? key : undefined;
  }

  async reload(): Promise<void> {}

  async jwks(): Promise<JsonWebKeySet> {
    return {
      keys: [...this.published.values()].filter((k) => stillVerifies(k)).map((k) => ({ ...k.publicJwk })),
    };
  }

  async rotate(alg: SigningAlg): Promise<{ kid: string; previousKid?: string }> {
    const key = await generateKeyPairFor(alg);
    const previous = this.current.get(alg);
    if (previous) {
      const retireAfter = new Date(Date.now() + this.retireAfterSeconds * 1000);
      this.published.set(previous.kid, { ...this.published.get(previous.kid)!, retireAfter });
    }
    const { kid, privateKey, publicKey, publicJwk } = key;
    this.current.set(alg, { kid, alg, privateKey });
    this.published.set(kid, { kid, alg, publicKey, publicJwk });
    return { kid, previousKid: previous?.kid };
  }
}
