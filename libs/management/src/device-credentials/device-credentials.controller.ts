import { Controller, Delete, Get, HttpCode, Param, Query, UseFilters, UsePipes } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { RevokeCredential } from '@libs/credentials';
import { CREDENTIAL_ID, DomainError } from '@libs/domain';
import { CurrentCaller, type Caller } from '../auth/principal.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import { ApiManagementController } from '../errors/management-error.response';
import { ManagementExceptionFilter } from '../errors/management-exception.filter';
import { selectFields, withTotals } from '../http/list-params';
import { ManagementValidationPipe } from '../http/management-validation.pipe';
import { RefreshTokenQueries } from '../refresh-tokens/refresh-token.queries';
import { ListDeviceCredentialsQuery } from './device-credentials.dto';
import { ApiListDeviceCredentials, ApiRevokeDeviceCredential } from './device-credentials.openapi';

const inexistent = () =>
  new ManagementApiError(
    ManagementErrorCode.InexistentDeviceCredential,
    'The device credential does not exist.',
  );

/**
 * `/api/v2/device-credentials`: list a tenant's refresh tokens in force (from the projection; never the
 * token or its hash; `rotating_refresh_token` for the rotating ones) and revoke one. A DELETE answers 204
 * only once its `TokenRevoked` is durable: from then on the token is refused everywhere, whatever the
 * projector or Kafka are doing.
 */
@ApiManagementController()
@Controller('api/v2/device-credentials')
@UseFilters(ManagementExceptionFilter)
@UsePipes(ManagementValidationPipe)
export class DeviceCredentialsController {
  constructor(
    private readonly queries: RefreshTokenQueries,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @RequireScopes('read:device_credentials')
  @ApiListDeviceCredentials()
  async list(@Query() query: ListDeviceCredentialsQuery): Promise<unknown> {
    // Only refresh tokens live here: public_key credentials list as empty.
    const none = query.type === 'public_key';
    const filter = {
      userId: query.user_id,
      clientId: query.client_id,
      rotating: query.type === undefined ? undefined : query.type === 'rotating_refresh_token',
      page: query.page,
      perPage: query.per_page,
    };
    const found = none ? [] : await this.queries.deviceCredentials(filter);
    const items = found.map((c) => selectFields(c, query.fields, query.include_fields));
    if (!query.include_totals) return items;
    const total = none ? 0 : await this.queries.countDeviceCredentials(filter);
    return withTotals('device_credentials', items, { page: query.page, perPage: query.per_page, total });
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('delete:device_credentials')
  @ApiRevokeDeviceCredential()
  async revoke(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<void> {
    if (!CREDENTIAL_ID.test(id)) throw inexistent();
    try {
      await this.commands.execute(
        new RevokeCredential(id, 'management_api', caller.actor, caller.correlationId),
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'credential_not_found') throw inexistent();
      throw error;
    }
  }
}
