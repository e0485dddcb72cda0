import { Global, Module } from '@nestjs/common';

/** Signing keys, the signer and verifier ports, and `/.well-known/jwks.json`. */
@Global()
@Module({})
export class JwtModule {}
