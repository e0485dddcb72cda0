import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { SecretKeys } from './secret-keys';

/** Makes the derived secret keys injectable. */
@Global()
@Module({
  providers: [{ provide: SecretKeys, inject: [AppConfig], useFactory: SecretKeys.fromConfig }],
  exports: [SecretKeys],
})
export class SecurityModule {}
