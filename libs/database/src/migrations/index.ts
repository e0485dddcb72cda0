import { CreateEventStore1764100000000 } from './1764100000000-CreateEventStore';
import { CreateTenantTables1764100100000 } from './1764100100000-CreateTenantTables';
import { CreateDeviceCredentialView1764100200000 } from './1764100200000-CreateDeviceCredentialView';
import { AddAuthorizationCodeReplay1764100300000 } from './1764100300000-AddAuthorizationCodeReplay';
import { IndexIssuedTokensByUser1764100400000 } from './1764100400000-IndexIssuedTokensByUser';
import { CreateDashboardAdmins1764100500000 } from './1764100500000-CreateDashboardAdmins';
import { CreateDelegationFailures1764100600000 } from './1764100600000-CreateDelegationFailures';
import { AddClientOrigins1764100700000 } from './1764100700000-AddClientOrigins';
import { AddClientSecretCipher1764100800000 } from './1764100800000-AddClientSecretCipher';
import { AddStreamChainHeads1764101400000 } from './1764101400000-AddStreamChainHeads';
import { RelayTailsTheEventTable1764101500000 } from './1764101500000-RelayTailsTheEventTable';
import { RefreshTokenRotation1764101600000 } from './1764101600000-RefreshTokenRotation';
import { AddClientRefreshTokenPolicy1764101700000 } from './1764101700000-AddClientRefreshTokenPolicy';
import { TrackPreviousRefreshToken1764101800000 } from './1764101800000-TrackPreviousRefreshToken';
import { AddClientAllowedClients1764101910000 } from './1764101910000-AddClientAllowedClients';
import { CreateIssuedIdTokens1764101920000 } from './1764101920000-CreateIssuedIdTokens';
import { AddUserMetadata1764101930000 } from './1764101930000-AddUserMetadata';

export { BACKFILL_PREVIOUS_TOKEN } from './1764101800000-TrackPreviousRefreshToken';

/** Every migration, oldest first. Listed, not globbed, so sources and builds run the same set. */
export const MIGRATIONS = [
  CreateEventStore1764100000000,
  CreateTenantTables1764100100000,
  CreateDeviceCredentialView1764100200000,
  AddAuthorizationCodeReplay1764100300000,
  IndexIssuedTokensByUser1764100400000,
  CreateDashboardAdmins1764100500000,
  CreateDelegationFailures1764100600000,
  AddClientOrigins1764100700000,
  AddClientSecretCipher1764100800000,
  AddStreamChainHeads1764101400000,
  RelayTailsTheEventTable1764101500000,
  RefreshTokenRotation1764101600000,
  AddClientRefreshTokenPolicy1764101700000,
  TrackPreviousRefreshToken1764101800000,
  AddClientAllowedClients1764101910000,
  CreateIssuedIdTokens1764101920000,
  AddUserMetadata1764101930000,
];
