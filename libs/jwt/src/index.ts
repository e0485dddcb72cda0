export { InMemoryKeyStore } from './in-memory-key-store';
export { issuerFor } from './issuer';
export { JoseTokenSigner } from './jose-token-signer';
export { JoseTokenVerifier } from './jose-token-verifier';
export { JwtModule } from './jwt.module';
export { KeyRing } from './key-ring';
export {
  ID_TOKEN_ALGS,
  KeyStore,
  SIGNING_ALGS,
  TokenSigner,
  TokenVerificationError,
  TokenVerifier,
  type IdTokenAlg,
  type JsonWebKeySet,
  type SignedToken,
  type SigningAlg,
  type SignOptions,
  type VerifyOptions,
} from './ports';
export { PostgresKeyStore } from './postgres-key-store';
export { PrivateJwkDecryptionError } from './private-jwk-cipher';
export { type SigningKey, type VerificationKey } from './signing-key';
