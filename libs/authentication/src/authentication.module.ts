import { Module } from '@nestjs/common';
import { TenantsModule } from '@libs/tenants';
import { AuthorizationCodeStore } from './authorization-codes/authorization-code.store';
import { AuthorizeController } from './authorize/authorize.controller';
import { DiscoveryController } from './discovery/discovery.controller';
import { JwksController } from './discovery/jwks.controller';
import { UserinfoController } from './discovery/userinfo.controller';
import { IntrospectionController } from './introspection/introspection.controller';
import { TokenIntrospection } from './introspection/token-introspection';
import { ResourceOwnerController } from './legacy/resource-owner.controller';
import { TokeninfoController } from './legacy/tokeninfo.controller';
import { RevocationController } from './revocation/revocation.controller';
import { AuthorizationCodeGrant } from './token/grants/authorization-code.grant';
import { ClientCredentialsGrant } from './token/grants/client-credentials.grant';
import { ManagementTokenIssuer } from './token/grants/management-token.issuer';
import { PasswordGrant } from './token/grants/password.grant';
import { RefreshTokenGrant } from './token/grants/refresh-token.grant';
import { TokenController } from './token/token.controller';
import { UserAccessTokenVerifier } from './token/user-access-token.verifier';
import { UserTokens } from './token/user-tokens';

/**
 * The Authentication API: /authorize and its login page, /oauth/token, /oauth/revoke, /oauth/introspect,
 * discovery, /userinfo, legacy /oauth/ro and /tokeninfo.
 */
@Module({
  imports: [TenantsModule],
  controllers: [
    TokenController,
    RevocationController,
    IntrospectionController,
    DiscoveryController,
    JwksController,
    UserinfoController,
    AuthorizeController,
    ResourceOwnerController,
    TokeninfoController,
  ],
  providers: [
    AuthorizationCodeStore,
    UserTokens,
    UserAccessTokenVerifier,
    TokenIntrospection,
    AuthorizationCodeGrant,
    PasswordGrant,
    RefreshTokenGrant,
    ClientCredentialsGrant,
    ManagementTokenIssuer,
  ],
  exports: [AuthorizationCodeStore],
})
export class AuthenticationModule {}
