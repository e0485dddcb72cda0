import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseFilters,
  UsePipes,
} from '@nestjs/common';
import { CurrentCaller, type Caller } from '../auth/principal.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ApiManagementController } from '../errors/management-error.response';
import { ManagementExceptionFilter } from '../errors/management-exception.filter';
import { selectFields } from '../http/list-params';
import { ManagementValidationPipe } from '../http/management-validation.pipe';
import { UsersService } from '../users/users.service';
import { RefreshTokenQueries } from './refresh-token.queries';
import { inexistentRefreshToken, RefreshTokenRevocations, selectionOf } from './refresh-token-revocations';
import { toRefreshTokenView, type RefreshTokenView } from './refresh-token.view';
import { ListRefreshTokensQuery, RefreshTokenPageQuery, RevokeRefreshTokensBody } from './refresh-tokens.dto';
import {
  ApiGetRefreshToken,
  ApiListRefreshTokens,
  ApiListUserRefreshTokens,
  ApiRevokeRefreshToken,
  ApiRevokeRefreshTokens,
  ApiRevokeUserRefreshTokens,
} from './refresh-tokens.openapi';

/**
 * Auth0's refresh-token endpoints (`/api/v2/refresh-tokens`, `/api/v2/users/{id}/refresh-tokens`), over
 * the same device credentials as `/api/v2/device-credentials`: a token's id is its credential id. Reads
 * show the tokens in force; revocations answer once every `TokenRevoked` is durable.
 */
@ApiManagementController()
@Controller('api/v2')
@UseFilters(ManagementExceptionFilter)
@UsePipes(ManagementValidationPipe)
export class RefreshTokensController {
  constructor(
    private readonly queries: RefreshTokenQueries,
    private readonly revocations: RefreshTokenRevocations,
    private readonly users: UsersService,
  ) {}

  @Get('users/:id/refresh-tokens')
  @RequireScopes('read:refresh_tokens')
  @ApiListUserRefreshTokens()
  async listOfUser(
    @Param('id') userId: string,
    @Query() query: RefreshTokenPageQuery,
  ): Promise<{ tokens: RefreshTokenView[]; next?: string }> {
    await this.users.getUser(userId);
    const { tokens, next } = await this.queries.page({ userId, from: query.from, take: query.take });
    return { tokens: tokens.map(toRefreshTokenView), ...(next && { next }) };
  }

  @Delete('users/:id/refresh-tokens')
  @HttpCode(202)
  @RequireScopes('delete:refresh_tokens')
  @ApiRevokeUserRefreshTokens()
  async revokeOfUser(@Param('id') userId: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.users.getUser(userId);
    await this.revocations.revokeAll({ userId }, caller);
  }

  @Get('refresh-tokens')
  @RequireScopes('read:refresh_tokens')
  @ApiListRefreshTokens()
  async list(
    @Query() query: ListRefreshTokensQuery,
  ): Promise<{ refresh_tokens: Partial<RefreshTokenView>[]; next?: string }> {
    const { tokens, next } = await this.queries.page({
      userId: query.user_id,
      clientId: query.client_id,
      from: query.from,
      take: query.take,
    });
    const views = tokens.map((t) => selectFields(toRefreshTokenView(t), query.fields, query.include_fields));
    return { refresh_tokens: views, ...(next && { next }) };
  }

  @Post('refresh-tokens/revoke')
  @HttpCode(202)
  @RequireScopes('delete:refresh_tokens')
  @ApiRevokeRefreshTokens()
  async revokeMany(@Body() body: RevokeRefreshTokensBody, @CurrentCaller() caller: Caller): Promise<void> {
    await this.revocations.revokeAll(selectionOf(body), caller);
  }

  @Get('refresh-tokens/:id')
  @RequireScopes('read:refresh_tokens')
  @ApiGetRefreshToken()
  async get(@Param('id') id: string): Promise<RefreshTokenView> {
    const row = await this.queries.find(id);
    if (!row) throw inexistentRefreshToken();
    return toRefreshTokenView(row);
  }

  @Delete('refresh-tokens/:id')
  @HttpCode(202)
  @RequireScopes('delete:refresh_tokens')
  @ApiRevokeRefreshToken()
  async revoke(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.revocations.revoke(id, caller);
  }
}
