import { Injectable } from '@nestjs/common';
import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import type { Page } from '../http/list-params';
import { newUserId, type User } from './user';
import { UserRepository, type UserChanges, type UserListQuery } from './user.repository';
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
@Injectable()
export class UsersService {
  constructor(private readonly users: UserRepository) {}

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
  async updateUser(userId: string, input: UpdateUserInput): Promise<User> {
    const changes = userChangesFromBody(input);
    if (changes.blocked === true) return this.blockUser(userId, changes);
    const user = await this.users.update(userId, changes);
    if (!user) throw inexistentUser();
    return user;
  }

  /** Blocks the user, with any other changes of the same patch in the same write. */
  async blockUser(userId: string, alsoChange: UserChanges = {}): Promise<User> {
    const user = await this.users.update(userId, { ...alsoChange, blocked: true });
    if (!user) throw inexistentUser();
    return user;
  }

  /** Deletes the user; refuses an unknown id with `inexistent_user`. */
  async deleteUser(userId: string): Promise<void> {
    if (!(await this.users.delete(userId))) throw inexistentUser();
  }
}
