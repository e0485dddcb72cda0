import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseFilters,
  UsePipes,
} from '@nestjs/common';
import { CurrentCaller, type Caller } from '../auth/principal.decorator';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ApiManagementController } from '../errors/management-error.response';
import { ManagementExceptionFilter } from '../errors/management-exception.filter';
import { selectFields, withTotals } from '../http/list-params';
import { ManagementValidationPipe } from '../http/management-validation.pipe';
import { parseUserSearch, type UserSearchTerm, type UserSortField } from '@libs/tenants';
import { CreateUserBody, GetUserQuery, ListUsersQuery, UpdateUserBody, UsersByEmailQuery } from './user.dto';
import {
  ApiCreateUser,
  ApiDeleteUser,
  ApiGetUser,
  ApiListUsers,
  ApiUpdateUser,
  ApiUsersByEmail,
} from './user.openapi';
import { toUserView, type UserView } from '@libs/tenants';
import { UsersService } from './users.service';

/** `/api/v2/users` and `/api/v2/users-by-email`: Auth0's user endpoints for the database connection. */
@ApiManagementController()
@Controller('api/v2')
@UseFilters(ManagementExceptionFilter)
@UsePipes(ManagementValidationPipe)
export class UsersController {
  constructor(private readonly service: UsersService) {}

  /** Creates a user. */
  @Post('users')
  @HttpCode(201)
  @RequireScopes('create:users')
  @ApiCreateUser()
  async create(@Body() body: CreateUserBody): Promise<UserView> {
    return toUserView(await this.service.createUser(body));
  }

  /** Lists or searches users: an array, or Auth0's totals envelope with `include_totals=true`. */
  @Get('users')
  @RequireScopes('read:users')
  @ApiListUsers()
  async list(@Query() query: ListUsersQuery): Promise<unknown> {
    const search: UserSearchTerm[] = [
      ...(query.q ? parseUserSearch(query.q) : []),
      ...(query.email ? [{ field: 'email' as const, value: query.email, match: 'exact' as const }] : []),
    ];
    const [sortField, direction] = query.sort?.split(':') ?? [];
    const page = await this.service.listUsers({
      page: query.page,
      perPage: query.per_page,
      search,
      sort: sortField ? { field: sortField as UserSortField, descending: direction === '-1' } : undefined,
    });
    const views = page.items.map((u) => selectFields(toUserView(u), query.fields, query.include_fields));
    if (!query.include_totals) return views;
    return withTotals('users', views, { page: query.page, perPage: query.per_page, total: page.total });
  }

  /** The users with an email, compared without regard to case (Auth0's `users-by-email`). */
  @Get('users-by-email')
  @RequireScopes('read:users')
  @ApiUsersByEmail()
  async byEmail(@Query() query: UsersByEmailQuery): Promise<Partial<UserView>[]> {
    const users = await this.service.usersByEmail(query.email);
    return users.map((u) => selectFields(toUserView(u), query.fields, query.include_fields));
  }

  /** One user. */
  @Get('users/:id')
  @RequireScopes('read:users')
  @ApiGetUser()
  async get(@Param('id') id: string, @Query() query: GetUserQuery): Promise<Partial<UserView>> {
    return selectFields(toUserView(await this.service.getUser(id)), query.fields, query.include_fields);
  }

  /** Changes a user: `blocked`, `name`, `nickname`, `email`, `email_verified`, `picture`, `password`. */
  @Patch('users/:id')
  @RequireScopes('update:users')
  @ApiUpdateUser()
  async update(
    @Param('id') id: string,
    @Body() body: UpdateUserBody,
    @CurrentCaller() caller: Caller,
  ): Promise<UserView> {
    return toUserView(await this.service.updateUser(id, body, caller));
  }

  /** Deletes a user. */
  @Delete('users/:id')
  @HttpCode(204)
  @RequireScopes('delete:users')
  @ApiDeleteUser()
  async remove(@Param('id') id: string, @CurrentCaller() caller: Caller): Promise<void> {
    await this.service.deleteUser(id, caller);
  }
}
