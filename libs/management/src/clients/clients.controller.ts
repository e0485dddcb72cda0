import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseFilters,
  UsePipes,
} from '@nestjs/common';
import { CurrentCaller, type Caller } from '../auth/principal.decorator';
import { GrantsScopesIn, RequireScopes } from '../auth/require-scopes.decorator';
import { ApiManagementController } from '../errors/management-error.response';
import { ManagementExceptionFilter } from '../errors/management-exception.filter';
import { selectFields, withTotals } from '../http/list-params';
import { ManagementValidationPipe } from '../http/management-validation.pipe';
import type { AppType } from '@libs/tenants';
import { CreateClientBody, GetClientQuery, ListClientsQuery, UpdateClientBody } from './client.dto';
import {
  ApiCreateClient,
  ApiDeleteClient,
  ApiGetClient,
  ApiListClients,
  ApiRotateClientSecret,
  ApiUpdateClient,
} from './client.openapi';
import { toClientView, type ClientView } from './client.view';
import { ClientsService } from './clients.service';

/** `/api/v2/clients`: Auth0's applications endpoints. */
@ApiManagementController()
@Controller('api/v2/clients')
@UseFilters(ManagementExceptionFilter)
@UsePipes(ManagementValidationPipe)
export class ClientsController {
  constructor(private readonly service: ClientsService) {}

  /** Creates an application; the response is the only one that ever carries `client_secret`. */
  @Post()
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @RequireScopes('create:clients')
  @ApiCreateClient()
  @GrantsScopesIn('management_api_scopes')
  async create(@Body() body: CreateClientBody): Promise<ClientView & { client_secret?: string }> {
    const { client, clientSecret } = await this.service.createClient(body);
    return clientSecret ? { ...toClientView(client), client_secret: clientSecret } : toClientView(client);
  }

  /** Lists applications: an array, or Auth0's totals envelope with `include_totals=true`. */
  @Get()
  @RequireScopes('read:clients')
  @ApiListClients()
  async list(@Query() query: ListClientsQuery): Promise<unknown> {
    const page = await this.service.listClients({
      page: query.page,
      perPage: query.per_page,
      appTypes: query.app_type?.split(',') as AppType[] | undefined,
    });
    const views = page.items.map((c) => selectFields(toClientView(c), query.fields, query.include_fields));
    if (!query.include_totals) return views;
    return withTotals('clients', views, { page: query.page, perPage: query.per_page, total: page.total });
  }

  /** One application. */
  @Get(':id')
  @RequireScopes('read:clients')
  @ApiGetClient()
  async get(@Param('id') id: string, @Query() query: GetClientQuery): Promise<Partial<ClientView>> {
    return selectFields(toClientView(await this.service.getClient(id)), query.fields, query.include_fields);
  }

  /** Changes an application: name, description, callbacks, origins, grants, jwt_configuration, refresh_token. */
  @Patch(':id')
  @RequireScopes('update:clients')
  @ApiUpdateClient()
  async update(@Param('id') id: string, @Body() body: UpdateClientBody): Promise<ClientView> {
    return toClientView(await this.service.updateClient(id, body));
  }

  /** Deletes an application, every refresh token of it revoked first (Auth0's 204). */
  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('delete:clients')
  @ApiDeleteClient()
  async remove(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.service.deleteClient(id, caller);
  }

  /** Auth0's `rotate-secret`: the client with its new `client_secret` (scope `update:client_keys`). */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @RequireScopes('update:client_keys')
  @ApiRotateClientSecret()
  async rotateSecret(@Param('id') id: string): Promise<ClientView & { client_secret: string }> {
    const { client, clientSecret } = await this.service.rotateSecret(id);
    return { ...toClientView(client), client_secret: clientSecret };
  }
}
