import { Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@libs/config';
import { SecretKeys } from '@libs/security';
import { issuerFor } from './issuer';
import { JoseTokenSigner } from './jose-token-signer';
import { JoseTokenVerifier } from './jose-token-verifier';
import { KeyRing } from './key-ring';
import { KeyStore, TokenSigner, TokenVerifier } from './ports';
import { PostgresKeyStore } from './postgres-key-store';

/** Signing keys and the signer and verifier ports (the JWKS is served by authentication's discovery). */
@Global()
@Module({
  providers: [
    {
      provide: PostgresKeyStore,
      inject: [DataSource, SecretKeys],
      useFactory: (dataSource: DataSource, secrets: SecretKeys) => new PostgresKeyStore(dataSource, secrets),
    },
    { provide: KeyStore, useExisting: PostgresKeyStore },
    { provide: KeyRing, useExisting: PostgresKeyStore },
    {
      provide: TokenSigner,
      inject: [KeyRing, AppConfig],
      useFactory: (keys: KeyRing, config: AppConfig) => new JoseTokenSigner(keys, issuerFor(config)),
    },
    {
      provide: TokenVerifier,
      inject: [KeyRing, AppConfig],
      useFactory: (keys: KeyRing, config: AppConfig) => new JoseTokenVerifier(keys, issuerFor(config)),
    },
  ],
  exports: [TokenSigner, TokenVerifier, KeyStore],
})
export class JwtModule {}
