import type { Page } from '../page';
import type { User } from './user';
import type { Metadata } from './user-metadata';
import type { UserSearchTerm } from './user-search';

/** A user about to be created; the password is hashed by the repository, never stored in clear. */
export interface NewUser {
  userId: string;
  email: string;
  password: string;
  emailVerified: boolean;
  name: string;
  nickname: string;
  picture: string | null;
  blocked: boolean;
  /** `{}` when absent. */
  userMetadata?: Metadata;
  /** `{}` when absent. */
  appMetadata?: Metadata;
}

/** Changes to a user; absent fields are left as they are. */
export interface UserChanges {
  email?: string;
  /** A new password, in clear; the repository stores its hash. */
  password?: string;
  emailVerified?: boolean;
  name?: string;
  nickname?: string;
  picture?: string | null;
  blocked?: boolean;
  /** Merged into the stored object as Auth0 merges a PATCH (top-level keys; `null` removes; `{}` clears). */
  userMetadata?: Metadata;
  /** Merged like `userMetadata`. */
  appMetadata?: Metadata;
}

/** Orderable user fields. */
export type UserSortField =
  | 'created_at'
  | 'updated_at'
  | 'last_login'
  | 'logins_count'
  | 'email'
  | 'name'
  | 'user_id';

/** Which users to list. */
export interface UserListQuery {
  /** 0-based page index. */
  page: number;
  perPage: number;
  /** Conditions that must all hold. */
  search?: UserSearchTerm[];
  sort?: { field: UserSortField; descending: boolean };
}

/**
 * Storage of the database connection's users; bound to `PostgresUserRepository`. Emails are unique per
 * connection without regard to case; a taken email rejects with `TenantError` `user_exists`.
 */
export abstract class UserRepository {
  /** The user with this id, or `null`. */
  abstract findById(userId: string): Promise<User | null>;
  /** The user of the database connection with this email, compared without regard to case, or `null`. */
  abstract findByEmail(email: string): Promise<User | null>;
  /** Stores a new user with the scrypt hash of its password; rejects when the email is taken. */
  abstract create(user: NewUser): Promise<User>;
  /** Applies `changes` in one statement; `null` for an unknown id; rejects when a new email is taken. */
  abstract update(userId: string, changes: UserChanges): Promise<User | null>;
  /** Deletes the user; false when there was none. */
  abstract delete(userId: string): Promise<boolean>;
  /** One page of users matching the search, with the total count of matches. */
  abstract list(query: UserListQuery): Promise<Page<User>>;
  /**
   * The user when `password` is theirs, else `null` — also for an unknown email, after the same scrypt
   * work, so response time does not reveal which emails exist. Blocked users are returned: callers decide.
   */
  abstract verifyPassword(email: string, password: string): Promise<User | null>;
  /** Counts a successful login: `logins_count + 1`, `last_login = now()`. */
  abstract recordLogin(userId: string): Promise<void>;
}
