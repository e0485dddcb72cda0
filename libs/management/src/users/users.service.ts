import { CommandBus } from '@nestjs/cqrs';
import { RevokeCredentials } from '@libs/credentials';
import type { Caller } from '../auth/principal.decorator';
import { Injectable } from '@nestjs/common';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import {
  newUserId,
  type User,
  type UserChanges,
  type UserListQuery,
  UserRepository,
  type Page,
} from '@libs/tenants';
import {
  newUserFromBody,
  userChangesFromBody,
  type CreateUserInput,
  type UpdateUserInput,
} from './user-input';

const inexistentUser = () =>
  new ManagementApiError(ManagementErrorCode.InexistentUser, 'The user does not exist.');

/**
 * The Management API's use cases on users. Blocking and deleting each go through one method
 * (`blockUser`, `deleteUser`): the single place where their consequences for the user's tokens belong.
 */
const SYSTEM: Caller = { actor: 'system', correlationId: 'system' };

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly commands: CommandBus,
  ) {}

  /** Creates a user of the database connection; a taken email is refused with 409. */
  async createUser(input: CreateUserInput): Promise<User> {
    return this.users.create(newUserFromBody(input, newUserId()));
  }

  /** The user with this id; refuses an unknown id with `inexistent_user`. */
  async getUser(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw inexistentUser();
    return user;
  }

  /** The users with this email (at most one: the tenant has one connection). */
  async usersByEmail(email: string): Promise<User[]> {
    const user = await this.users.findByEmail(email);
    return user ? [user] : [];
  }

  /** One page of users. */
  listUsers(query: UserListQuery): Promise<Page<User>> {
    return this.users.list(query);
  }

  /** Applies a patch; one that blocks the user goes through `blockUser`. */
  async updateUser(userId: string, input: UpdateUserInput, caller: Caller = SYSTEM): Promise<User> {
    const changes = userChangesFromBody(input);
    if (changes.blocked === true) return this.blockUser(userId, changes, caller);
    const user = await this.users.update(userId, changes);
    if (!user) throw inexistentUser();
    return user;
  }

  /** Blocks the user, with any other changes of the same patch in the same write. */
  async blockUser(userId: string, alsoChange: UserChanges = {}, caller: Caller = SYSTEM): Promise<User> {
    const user = await this.users.update(userId, { ...alsoChange, blocked: true });
    if (!user) throw inexistentUser();
    // A blocked user's refresh tokens are revoked, each with its own TokenRevoked, before this returns.
    await this.commands.execute(
      new RevokeCredentials({ userId }, 'user_blocked', caller.actor, caller.correlationId),
    );
    return user;
  }

  /** Deletes the user and revokes every refresh token they had; refuses an unknown id. */
  async deleteUser(userId: string, caller: Caller = SYSTEM): Promise<void> {
    if (!(await this.users.delete(userId))) throw inexistentUser();
    await this.commands.execute(
      new RevokeCredentials({ userId }, 'user_deleted', caller.actor, caller.correlationId),
    );
  }
}
