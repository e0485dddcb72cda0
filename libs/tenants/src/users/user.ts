import { createHash, randomBytes } from 'node:crypto';
import { TenantError, TenantErrorCode } from '../errors/tenant.error';
import type { Metadata } from './user-metadata';

/** The only connection of this tenant: Auth0's default database connection. */
export const USER_CONNECTION = 'Username-Password-Authentication';

/** A user of the database connection; the password hash never leaves the repository. */
export interface User {
  /** `auth0|` + 24 lowercase hex characters. */
  userId: string;
  connection: string;
  /** Stored lowercased: emails are unique without regard to case. */
  email: string;
  emailVerified: boolean;
  name: string;
  nickname: string;
  picture: string | null;
  blocked: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastLogin: Date | null;
  loginsCount: number;
  /** Auth0's `user_metadata`: attributes the user may edit (preferences); `{}` when none. */
  userMetadata: Metadata;
  /** Auth0's `app_metadata`: attributes only administrators set (roles, plan); `{}` when none. */
  appMetadata: Metadata;
}

/** Auth0's database-connection user ids: `auth0|` and 24 lowercase hex characters. */
export const USER_ID = /^auth0\|[0-9a-f]{24}$/;

/** A new user id: `auth0|` + 12 random bytes in lowercase hex, like Auth0's (which are Mongo ObjectIds). */
export function newUserId(): string {
  return `auth0|${randomBytes(12).toString('hex')}`;
}

/** Password length bounds of the connection's policy. */
export const PASSWORD_POLICY = { minLength: 8, maxLength: 128 } as const;

/** Refuses a password the connection's policy does not accept, with a message saying what is needed. */
export function assertPasswordPolicy(password: string): void {
  if ([...password].length < PASSWORD_POLICY.minLength) {
    throw new TenantError(
      TenantErrorCode.WeakPassword,
      `PasswordStrengthError: Password is too weak: it must be at least ${PASSWORD_POLICY.minLength} characters long.`,
    );
  }
}

/** Auth0's default nickname: the local part of the email. */
export function defaultNickname(email: string): string {
  return email.slice(0, email.lastIndexOf('@'));
}

/** Auth0's default picture: the Gravatar of the email, falling back to an image of its initials. */
export function defaultPicture(email: string): string {
  const hash = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  const initials = email
    .slice(0, 2)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
  const fallback = encodeURIComponent(`https://cdn.auth0.com/avatars/${initials || 'default'}.png`);
  return `https://s.gravatar.com/avatar/${hash}?s=480&r=pg&d=${fallback}`;
}
