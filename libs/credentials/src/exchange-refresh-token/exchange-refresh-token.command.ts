import { Command } from '@nestjs/cqrs';
import type { WriteContext } from '@libs/event-store';
import type { RateLimitDecision } from '@libs/security';
import type { Client, User } from '@libs/tenants';
import type { ActiveCredential } from '../credential-resolver';

/** What is presented: a refresh token, or (`/delegation`'s other form) an id_token of this tenant. */
export type PresentedToken =
  | { refreshToken: string; idToken?: never }
  | { idToken: string; refreshToken?: never };

export type ExchangeRequest = PresentedToken & {
  /** The authenticated (or, for public clients, identified) client presenting the token. */
  client: Client;
  /** The client the id_token is for (`/delegation`'s `target`); the presenting client by default. */
  target?: string;
  scope?: string;
  apiType: string;
  via: 'delegation' | 'refresh_token';
  ip: string;
  /** Refuse (rather than drop) requested scope values the credential was not granted (RFC 6749 §6). */
  strictScope?: boolean;
  /** Thumbprint of the key of the request's verified DPoP proof; a bound credential needs its own. */
  dpopJkt?: string;
};

export interface ExchangeResult {
  idToken: string;
  expiresIn: number;
  scope: string;
  user: User;
  /** The credential the new id_token is bound to; none for the renewal of an unbound id_token. */
  credential?: ActiveCredential;
  /** A rotating family's next refresh token (the presented one is retired); none otherwise. */
  refreshToken?: string;
  rateLimit: RateLimitDecision;
}

/**
 * Exchange a refresh token (or `/delegation`'s id_token) for a fresh id_token (`/delegation` and the
 * `refresh_token` grant). Resolves
 * once `IdTokenDelegated` is durable; rejects with `RefreshTokenRefused` or one of the exchange refusals.
 */
export class ExchangeRefreshToken extends Command<ExchangeResult> {
  constructor(
    readonly request: ExchangeRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}
