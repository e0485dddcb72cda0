import { Module } from '@nestjs/common';
import { ManagementModule } from '@libs/management';
import { AuthorizationCodeStore } from './authorization-codes/authorization-code.store';

/** The Authentication API: /authorize and its login page, /oauth/token, discovery. */
@Module({
  imports: [ManagementModule],
  providers: [AuthorizationCodeStore],
  exports: [AuthorizationCodeStore],
})
export class AuthenticationModule {}
