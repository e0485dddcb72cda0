import { Module } from '@nestjs/common';
import { LoginAttemptLimiter } from '@libs/security';
import { TenantsModule } from '@libs/tenants';
import { AuthorizationCodeStore } from './authorization-codes/authorization-code.store';
import { AuthorizeController } from './authorize/authorize.controller';
import { DiscoveryController } from './discovery/discovery.controller';
import { JwksController } from './discovery/jwks.controller';
import { UserinfoController } from './discovery/userinfo.controller';
import { RevocationController } from './revocation/revocation.controller';
import { ClientAuthentication } from './token/client-authentication';
import { AuthorizationCodeGrant } from './token/grants/authorization-code.grant';
import { ClientCredentialsGrant } from './token/grants/client-credentials.grant';
import { ManagementTokenIssuer } from './token/grants/management-token.issuer';
import { PasswordGrant } from './token/grants/password.grant';
import { RefreshTokenGrant } from './token/grants/refresh-token.grant';
import { TokenController } from './token/token.controller';
import { UserTokens } from './token/user-tokens';

/** The Authentication API: /authorize and its login page, /oauth/token, discovery, /userinfo. */
@Module({
  imports: [TenantsModule],
  controllers: [
    TokenController,
    RevocationController,
    DiscoveryController,
    JwksController,
    UserinfoController,
    AuthorizeController,
  ],
  providers: [
    AuthorizationCodeStore,
    { provide: LoginAttemptLimiter, useFactory: () => new LoginAttemptLimiter() },
    ClientAuthentication,
    UserTokens,
    AuthorizationCodeGrant,
    PasswordGrant,
    RefreshTokenGrant,
    ClientCredentialsGrant,
    ManagementTokenIssuer,
  ],
  exports: [AuthorizationCodeStore],
})
export class AuthenticationModule {}
