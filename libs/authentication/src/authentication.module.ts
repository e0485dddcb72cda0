import { Module } from '@nestjs/common';
import { DelegationModule } from '@libs/delegation';
import { ManagementModule } from '@libs/management';
import { AuthorizationCodeStore } from './authorization-codes/authorization-code.store';
import { AuthorizeController } from './authorize/authorize.controller';
import { DiscoveryController } from './discovery/discovery.controller';
import { UserinfoController } from './discovery/userinfo.controller';
import { ResourceOwnerController } from './legacy/resource-owner.controller';
import { TokeninfoController } from './legacy/tokeninfo.controller';
import { RevocationController } from './revocation/revocation.controller';
import { AuthorizationCodeGrant } from './token/grants/authorization-code.grant';
import { ClientCredentialsGrant } from './token/grants/client-credentials.grant';
import { PasswordGrant } from './token/grants/password.grant';
import { RefreshTokenGrant } from './token/grants/refresh-token.grant';
import { TokenController } from './token/token.controller';
import { UserTokens } from './token/user-tokens';

/** The Authentication API: /authorize and its login page, /oauth/token, discovery, /userinfo, legacy /oauth/ro and /tokeninfo. */
@Module({
  imports: [ManagementModule, DelegationModule],
  controllers: [
    TokenController,
    RevocationController,
    DiscoveryController,
    UserinfoController,
    AuthorizeController,
    ResourceOwnerController,
    TokeninfoController,
  ],
  providers: [
    AuthorizationCodeStore,
    UserTokens,
    AuthorizationCodeGrant,
    PasswordGrant,
    RefreshTokenGrant,
    ClientCredentialsGrant,
  ],
  exports: [AuthorizationCodeStore],
})
export class AuthenticationModule {}
