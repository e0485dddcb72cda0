import {
  applyDecorators,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Query,
  UseFilters,
  UsePipes,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProperty, ApiResponse } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { LoginAttemptLimiter } from '@libs/security';
import { RequireScopes } from '../auth/require-scopes.decorator';
import { ApiManagementController, ApiManagementError } from '../errors/management-error.response';
import { ManagementExceptionFilter } from '../errors/management-exception.filter';
import { ManagementValidationPipe } from '../http/management-validation.pipe';
import { UsersService } from './users.service';

/** Query of `/api/v2/user-blocks`: the identifier a login named (here: an email). */
export class UserBlocksQuery {
  @ApiProperty({ maxLength: 320, description: 'The username or email the blocked logins named.' })
  @IsString()
  @MaxLength(320)
  identifier: string;
}

class BlockedFor {
  @ApiProperty()
  identifier: string;

  @ApiProperty({ description: 'The blocked address (an IPv6 address as its /64).' })
  ip: string;
}

export class UserBlocksResponse {
  @ApiProperty({ type: [BlockedFor] })
  blocked_for: BlockedFor[];
}

const ApiUserBlocks = (summary: string, byId: boolean, read: boolean) =>
  applyDecorators(
    ApiOperation({ summary }),
    ...(byId ? [ApiParam({ name: 'id', description: 'The user id.' })] : []),
    read
      ? ApiResponse({
          status: 200,
          description: 'The addresses blocked for the user.',
          type: UserBlocksResponse,
        })
      : ApiResponse({ status: 204, description: 'Unblocked (also when nothing was blocked).' }),
    ...(byId ? [ApiManagementError(404, '`inexistent_user`.')] : []),
  );

/**
 * `/api/v2/user-blocks`: Auth0's brute-force protection blocks (an address blocked for a user after
 * consecutive failed logins), read and lifted by user id or by identifier. Blocks set by an administrator
 * (`blocked: true`) are not these; they are changed with `PATCH /api/v2/users/{id}`.
 */
@ApiManagementController()
@Controller('api/v2/user-blocks')
@UseFilters(ManagementExceptionFilter)
@UsePipes(ManagementValidationPipe)
export class UserBlocksController {
  constructor(
    private readonly users: UsersService,
    private readonly attempts: LoginAttemptLimiter,
  ) {}

  @Get()
  @RequireScopes('read:users')
  @ApiUserBlocks('Blocks by identifier', false, true)
  byIdentifier(@Query() query: UserBlocksQuery): Promise<UserBlocksResponse> {
    return this.blocks(query.identifier);
  }

  @Delete()
  @HttpCode(204)
  @RequireScopes('update:users')
  @ApiUserBlocks('Unblock by identifier', false, false)
  async unblockIdentifier(@Query() query: UserBlocksQuery): Promise<void> {
    await this.attempts.forget(query.identifier);
  }

  @Get(':id')
  @RequireScopes('read:users')
  @ApiUserBlocks("A user's blocks", true, true)
  async byUser(@Param('id') id: string): Promise<UserBlocksResponse> {
    return this.blocks((await this.users.getUser(id)).email);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('update:users')
  @ApiUserBlocks('Unblock a user', true, false)
  async unblockUser(@Param('id') id: string): Promise<void> {
    await this.attempts.forget((await this.users.getUser(id)).email);
  }

  private async blocks(identifier: string): Promise<UserBlocksResponse> {
    const ip = await this.attempts.blockedAddresses(identifier);
    return {
      blocked_for: ip.map((address) => ({ identifier: identifier.trim().toLowerCase(), ip: address })),
    };
  }
}
