import type { User } from './user';

/** One identity of a user, as Auth0 lists it. */
export interface IdentityView {
  connection: string;
  /** The user id without its `auth0|` provider prefix. */
  user_id: string;
  provider: 'auth0';
  isSocial: false;
}

/** A user as the Management API returns it (Auth0's snake_case shape); never a password or its hash. */
export interface UserView {
  user_id: string;
  email: string;
  email_verified: boolean;
  name: string;
  nickname: string;
  picture?: string;
  blocked: boolean;
  created_at: string;
  updated_at: string;
  /** Absent until the first login, as in Auth0. */
  last_login?: string;
  logins_count: number;
  identities: IdentityView[];
  /** Always an object (`{}` when none): what the user may edit. */
  user_metadata: Record<string, unknown>;
  /** Always an object (`{}` when none): what only administrators set. */
  app_metadata: Record<string, unknown>;
}

/** The Management API view of a user. */
export function toUserView(user: User): UserView {
  return {
    user_id: user.userId,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    nickname: user.nickname,
    ...(user.picture ? { picture: user.picture } : {}),
    blocked: user.blocked,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    ...(user.lastLogin ? { last_login: user.lastLogin.toISOString() } : {}),
    logins_count: user.loginsCount,
    identities: [
      {
        connection: user.connection,
        user_id: user.userId.slice(user.userId.indexOf('|') + 1),
        provider: 'auth0',
        isSocial: false,
      },
    ],
    user_metadata: user.userMetadata,
    app_metadata: user.appMetadata,
  };
}
