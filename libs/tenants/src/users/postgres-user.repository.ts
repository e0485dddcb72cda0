import { pgPool, StatementBatcher } from '@libs/database';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { randomToken } from '@libs/security';
import { TenantError, TenantErrorCode } from '../errors/tenant.error';
import type { Page } from '../page';
import { PasswordHashing } from '../passwords/password-hashing';
import { USER_CONNECTION, type User } from './user';
import {
  UserRepository,
  type NewUser,
  type UserChanges,
  type UserListQuery,
  type UserSortField,
} from './user.repository';
import type { UserSearchTerm } from './user-search';
import type { Metadata } from './user-metadata';

interface UserRow {
  user_id: string;
  connection: string;
  email: string;
  email_verified: boolean;
  name: string;
  nickname: string;
  picture: string | null;
  blocked: boolean;
  logins_count: number;
  last_login: Date | null;
  created_at: Date;
  updated_at: Date;
  user_metadata: Metadata;
  app_metadata: Metadata;
}

// password_hash is deliberately absent: no query that feeds a User ever reads it.
const COLUMNS = `user_id, connection, email, email_verified, name, nickname, picture, blocked, logins_count,
  last_login, created_at, updated_at, user_metadata, app_metadata`;

/** A user as `ownerJsonSql` selects it: timestamps come back as strings. */
export type UserJson = Omit<UserRow, 'last_login' | 'created_at' | 'updated_at'> & {
  last_login: string | null;
  created_at: string;
  updated_at: string;
};

/**
 * The user whose id is `userIdSql`, as one JSON value (null when there is none), for a statement of
 * another lib that reads a user along with its own rows in one round trip (the delegation hot path:
 * the credential's view row and its owner). This lib still owns the columns; `userFromJson` reads it.
 */
export const ownerJsonSql = (userIdSql: string) =>
  `(SELECT json_build_object(${COLUMNS.split(',')
    .map((c) => c.trim())
    .map((c) => `'${c}', o.${c}`)
    .join(', ')}) FROM users o WHERE o.user_id = ${userIdSql})`;

export const userFromJson = (json: UserJson): User =>
  toUser({
    ...json,
    last_login: json.last_login === null ? null : new Date(json.last_login),
    created_at: new Date(json.created_at),
    updated_at: new Date(json.updated_at),
  });

const toUser = (row: UserRow): User => ({
  userId: row.user_id,
  connection: row.connection,
  email: row.email,
  emailVerified: row.email_verified,
  name: row.name,
  nickname: row.nickname,
  picture: row.picture,
  blocked: row.blocked,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  lastLogin: row.last_login,
  loginsCount: row.logins_count,
  userMetadata: row.user_metadata,
  appMetadata: row.app_metadata,
});

const SORT_COLUMNS: Record<UserSortField, string> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  last_login: 'last_login',
  logins_count: 'logins_count',
  email: 'lower(email)',
  name: 'lower(name)',
  user_id: 'user_id',
};

const TEXT_COLUMNS = { email: 'lower(email)', name: 'lower(name)', nickname: 'lower(nickname)' } as const;

/** SQL for one search term, with its parameter at `$n`. */
function condition(term: UserSearchTerm, n: number): string {
  switch (term.field) {
    case 'blocked':
    case 'email_verified':
      return `${term.field} = $${n}`;
    case 'user_id':
      return term.match === 'prefix' ? `starts_with(user_id, $${n})` : `user_id = $${n}`;
    case 'email':
    case 'name':
    case 'nickname': {
      const column = TEXT_COLUMNS[term.field];
      return term.match === 'prefix' ? `starts_with(${column}, lower($${n}))` : `${column} = lower($${n})`;
    }
    case 'any': {
      const test = (column: string) =>
        term.match === 'prefix'
          ? `starts_with(${column}, lower($${n}))`
          : `strpos(${column}, lower($${n})) > 0`;
      return `(${Object.values(TEXT_COLUMNS).map(test).join(' OR ')})`;
    }
    default: {
      const exhaustive: never = term;
      throw new TypeError(`Unknown search term ${JSON.stringify(exhaustive)}`);
    }
  }
}

/**
 * Auth0's PATCH of a metadata object, in the UPDATE itself so that concurrent patches of different keys
 * both land: top-level keys are merged (a nested object is replaced whole), a `null` value removes its
 * key, an empty object removes every key. The patch is the statement's parameter.
 */
function mergedMetadata(
  column: 'user_metadata' | 'app_metadata',
  patch: Metadata,
): [value: string, expression: (p: string) => string] {
  if (Object.keys(patch).length === 0) return ['{}', (p) => `${p}::jsonb`];
  return [
    JSON.stringify(patch),
    (p) =>
      `(${column} || ${p}::jsonb) - ARRAY(SELECT key FROM jsonb_each(${p}::jsonb) WHERE jsonb_typeof(value) = 'null')`,
  ];
}

/** Maps the email uniqueness violation to the Management API's 409; other failures stay what they are. */
function rethrow(error: unknown): never {
  const { code, constraint } = error as { code?: string; constraint?: string };
  if (code === '23505' && constraint === 'users_email_unique') {
    throw new TenantError(TenantErrorCode.UserExists, 'The user already exists.');
  }
  // The merged object outgrew its bound (each PATCH is bounded, a series of them is not).
  const metadata = /^users_(user_metadata|app_metadata)_bounded$/.exec(constraint ?? '');
  if (code === '23514' && metadata) {
    throw new TenantError(
      TenantErrorCode.InvalidMetadata,
      `Payload validation error: 'The stored object would exceed its size bound' on property ${metadata[1]}.`,
    );
  }
  throw error;
}

/** `UserRepository` over the `users` table, in raw SQL; the only code that touches `password_hash`. */
@Injectable()
export class PostgresUserRepository extends UserRepository {
  private dummyHash?: Promise<string>;
  /** On the delegation hot path: concurrent look-ups share one statement, straight on the pg pool. */
  private readonly byId = new StatementBatcher<string, User>(async (userIds) => {
    const { rows } = await pgPool(this.db).query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE user_id = ANY($1::text[])`,
      [userIds],
    );
    return new Map(rows.map((row) => [row.user_id, toUser(row)]));
  });

  constructor(
    private readonly db: DataSource,
    private readonly passwords: PasswordHashing,
  ) {
    super();
  }

  async findById(userId: string): Promise<User | null> {
    // PostgreSQL text cannot hold NUL (a query with one fails), so no user has such an id or email, and no
    // search for one matches; sent in a batch, it would fail every look-up sharing the statement.
    if (userId.includes('\u0000')) return null;
    return (await this.byId.submit(userId)) ?? null;
  }

  async findByEmail(email: string): Promise<User | null> {
    if (email.includes('\u0000')) return null;
    const rows = await this.db.query<UserRow[]>(
      `SELECT ${COLUMNS} FROM users WHERE connection = $1 AND lower(email) = lower($2)`,
      [USER_CONNECTION, email],
    );
    return rows[0] ? toUser(rows[0]) : null;
  }

  async create(user: NewUser): Promise<User> {
    const passwordHash = await this.passwords.hash(user.password);
    const rows = await this.db
      .query<UserRow[]>(
        `INSERT INTO users (user_id, connection, email, email_verified, name, nickname, picture, password_hash, blocked,
           user_metadata, app_metadata)
         VALUES ($1, $2, lower($3), $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb)
         RETURNING ${COLUMNS}`,
        [
          user.userId,
          USER_CONNECTION,
          user.email,
          user.emailVerified,
          user.name,
          user.nickname,
          user.picture,
          passwordHash,
          user.blocked,
          JSON.stringify(user.userMetadata ?? {}),
          JSON.stringify(user.appMetadata ?? {}),
        ],
      )
      .catch(rethrow);
    return toUser(rows[0]);
  }

  async update(userId: string, changes: UserChanges): Promise<User | null> {
    const assignments: string[] = [];
    const params: unknown[] = [userId];
    const set = (column: string, value: unknown, expression = (p: string) => p) => {
      params.push(value);
      assignments.push(`${column} = ${expression(`$${params.length}`)}`);
    };
    if (changes.email !== undefined) set('email', changes.email, (p) => `lower(${p})`);
    if (changes.password !== undefined) set('password_hash', await this.passwords.hash(changes.password));
    if (changes.emailVerified !== undefined) set('email_verified', changes.emailVerified);
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.nickname !== undefined) set('nickname', changes.nickname);
    if (changes.picture !== undefined) set('picture', changes.picture);
    if (changes.blocked !== undefined) set('blocked', changes.blocked);
    if (changes.userMetadata !== undefined)
      set('user_metadata', ...mergedMetadata('user_metadata', changes.userMetadata));
    if (changes.appMetadata !== undefined)
      set('app_metadata', ...mergedMetadata('app_metadata', changes.appMetadata));
    assignments.push('updated_at = now()');
    const result = await this.db
      .query<
        [UserRow[], number]
      >(`UPDATE users SET ${assignments.join(', ')} WHERE user_id = $1 RETURNING ${COLUMNS}`, params)
      .catch(rethrow);
    const rows = result[0];
    return rows[0] ? toUser(rows[0]) : null;
  }

  async delete(userId: string): Promise<boolean> {
    const [, deleted] = await this.db.query<[unknown[], number]>(`DELETE FROM users WHERE user_id = $1`, [
      userId,
    ]);
    return deleted > 0;
  }

  async list(query: UserListQuery): Promise<Page<User>> {
    if (query.search?.some((term) => typeof term.value === 'string' && term.value.includes('\u0000'))) {
      return { items: [], total: 0 };
    }
    const params: unknown[] = [];
    const conditions = (query.search ?? []).map((term) => {
      params.push(term.value);
      return condition(term, params.length);
    });
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const sort = query.sort ?? { field: 'created_at', descending: false };
    const order = `${SORT_COLUMNS[sort.field]} ${sort.descending ? 'DESC' : 'ASC'} NULLS LAST, user_id`;
    const rows = await this.db.query<UserRow[]>(
      `SELECT ${COLUMNS} FROM users ${where} ORDER BY ${order}
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.perPage, query.page * query.perPage],
    );
    const [{ total }] = await this.db.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM users ${where}`,
      params,
    );
    return { items: rows.map(toUser), total };
  }

  async verifyPassword(email: string, password: string): Promise<User | null> {
    if (email.includes('\u0000')) return null;
    const rows = await this.db.query<(UserRow & { password_hash: string })[]>(
      `SELECT ${COLUMNS}, password_hash FROM users WHERE connection = $1 AND lower(email) = lower($2)`,
      [USER_CONNECTION, email],
    );
    const row = rows[0];
    if (!row) {
      // The same scrypt work as for a real user, so an unknown email is not answered faster.
      await this.passwords.verify(password, await this.unknownUserHash());
      return null;
    }
    return (await this.passwords.verify(password, row.password_hash)) ? toUser(row) : null;
  }

  async recordLogin(userId: string): Promise<void> {
    await this.db.query(
      `UPDATE users SET logins_count = logins_count + 1, last_login = now() WHERE user_id = $1`,
      [userId],
    );
  }

  private unknownUserHash(): Promise<string> {
    this.dummyHash ??= this.passwords.hash(randomToken());
    return this.dummyHash;
  }
}
