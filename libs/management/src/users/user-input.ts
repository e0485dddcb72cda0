import { ManagementApiError, ManagementErrorCode } from '../errors/management-api.error';
import {
  assertMetadata,
  assertPasswordPolicy,
  defaultNickname,
  defaultPicture,
  initialMetadata,
  type Metadata,
  type NewUser,
  USER_CONNECTION,
  type UserChanges,
} from '@libs/tenants';

/** The fields of `POST /api/v2/users` after schema validation (Auth0's snake_case names). */
export interface CreateUserInput {
  connection: string;
  email: string;
  password: string;
  name?: string;
  nickname?: string;
  picture?: string;
  email_verified?: boolean;
  blocked?: boolean;
  user_metadata?: Metadata;
  app_metadata?: Metadata;
}

/** The fields of `PATCH /api/v2/users/{id}` after schema validation. */
export type UpdateUserInput = Partial<CreateUserInput>;

function assertConnection(connection: string | undefined): void {
  if (connection !== undefined && connection !== USER_CONNECTION) {
    throw new ManagementApiError(ManagementErrorCode.InexistentConnection, 'The connection does not exist.');
  }
}

/**
 * Turns a create-user body into the user to store, with Auth0's defaults: email lowercased,
 * `name` = email, `nickname` = the email's local part, `picture` = its Gravatar.
 */
export function newUserFromBody(body: CreateUserInput, userId: string): NewUser {
  assertConnection(body.connection);
  assertPasswordPolicy(body.password);
  assertGivenMetadata(body);
  const email = body.email.toLowerCase();
  return {
    userId,
    email,
    password: body.password,
    emailVerified: body.email_verified ?? false,
    name: body.name ?? email,
    nickname: body.nickname ?? defaultNickname(email),
    picture: body.picture ?? defaultPicture(email),
    blocked: body.blocked ?? false,
    userMetadata: initialMetadata(body.user_metadata),
    appMetadata: initialMetadata(body.app_metadata),
  };
}

function assertGivenMetadata(body: UpdateUserInput): void {
  if (body.user_metadata !== undefined) assertMetadata('user_metadata', body.user_metadata);
  if (body.app_metadata !== undefined) assertMetadata('app_metadata', body.app_metadata);
}

/** Turns a patch body into repository changes; refuses an empty patch, another connection, a weak password. */
export function userChangesFromBody(body: UpdateUserInput): UserChanges {
  const changes: UserChanges = {
    email: body.email?.toLowerCase(),
    password: body.password,
    emailVerified: body.email_verified,
    name: body.name,
    nickname: body.nickname,
    picture: body.picture,
    blocked: body.blocked,
    userMetadata: body.user_metadata,
    appMetadata: body.app_metadata,
  };
  const defined = Object.fromEntries(
    Object.entries(changes).filter(([, v]) => v !== undefined),
  ) as UserChanges;
  if (Object.keys(defined).length === 0) {
    throw new ManagementApiError(
      ManagementErrorCode.InvalidBody,
      `Payload validation error: 'Too few properties defined (0), minimum 1'.`,
    );
  }
  assertConnection(body.connection);
  assertGivenMetadata(body);
  if (defined.password !== undefined) assertPasswordPolicy(defined.password);
  return defined;
}
