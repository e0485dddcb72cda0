import { Command } from '@nestjs/cqrs';
import type { WriteContext } from '@libs/event-store';
import type { RateLimitDecision } from '@libs/security';
import type { Client, User } from '@libs/tenants';
import type { ActiveCredential } from '../credential-resolver';

export interface ExchangeRequest {
  refreshToken: string;
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
}

export interface ExchangeResult {
  idToken: string;
  expiresIn: number;
  scope: string;
  user: User;
  credential: ActiveCredential;
  rateLimit: RateLimitDecision;
}

/**
 * Exchange a refresh token for a fresh id_token (`/delegation` and the `refresh_token` grant). Resolves
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
