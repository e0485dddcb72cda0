export { JwtModule } from './jwt.module';
export {
  KeyStore,
  SIGNING_ALGS,
  TokenSigner,
  TokenVerificationError,
  TokenVerifier,
  type JsonWebKeySet,
  type SignedToken,
  type SigningAlg,
  type SignOptions,
  type VerifyOptions,
} from './ports';
