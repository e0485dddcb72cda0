import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import { DeviceCredentials, RefreshTokenRefused, type ActiveCredential } from '@libs/credentials';
import { DomainError } from '@libs/domain';
import type { WriteContext } from '@libs/event-store';
import { TokenSigner } from '@libs/jwt';
import {
  type Client,
  ClientCache,
  exchangeScope,
  idTokenClaims,
  scopeValues,
  type User,
  UserRepository,
} from '@libs/tenants';
import { DelegationFailureLog } from './failures/delegation-failure-log';

import { FailedLookupLimiter, type RateLimitDecision, RateLimiter } from '@libs/security';

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

/** Refused after too many requests; carries the headers to send. */
export class RateLimited extends Error {
  constructor(readonly decision: RateLimitDecision) {
    super('Too many requests.');
  }
}

/** Refused because the target client does not exist. */
export class UnknownTarget extends Error {}

/** Refused because the request asked for scope the credential was not granted. */
export class ScopeNotGranted extends Error {
  constructor(readonly extra: string[]) {
    super(`Scope not granted to this refresh token: ${extra.join(' ')}`);
  }
}

/**
 * The hot path shared by `/delegation` and the `refresh_token` grant: resolve the token against the view
 * and the newer events, check the user, sign the id_token, record `IdTokenDelegated`, and only then
 * answer (DESIGN guarantees 1 and 3).
 */
@Injectable()
export class RefreshTokenExchange {
  private readonly perUser: RateLimiter;
  /** Failed look-ups per address and per client: guessing tokens is slowed down. */
  private readonly failures: FailedLookupLimiter;

  constructor(
    private readonly credentials: DeviceCredentials,
    private readonly users: UserRepository,
    private readonly clients: ClientCache,
    private readonly signer: TokenSigner,
    private readonly failureLog: DelegationFailureLog,
    config: AppConfig,
  ) {
    this.perUser = new RateLimiter(config.rateLimits.delegationPerMinute, 60_000);
    this.failures = new FailedLookupLimiter(config.rateLimits.failuresPerMinute);
  }

  async exchange(request: ExchangeRequest, context: WriteContext): Promise<ExchangeResult> {
    const refusal = this.failures.refusal(request.ip, request.client.clientId);
    if (refusal) throw new RateLimited(refusal);

    let resolved;
    let user: User | null = null;
    try {
      resolved = await this.credentials.resolve(request.refreshToken, request.client.clientId);
      user = await this.users.findById(resolved.credential.userId);
      // A blocked or deleted user's tokens stop working (their revocation events may still be on the way).
      if (!user || user.blocked) {
        throw new RefreshTokenRefused(user ? 'user_blocked' : 'user_missing', resolved.credential);
      }
    } catch (error) {
      if (error instanceof DomainError) this.failures.recordFailure(request.ip, request.client.clientId);
      await this.failureLog.record(error, request, context);
      throw error;
    }

    const rateLimit = this.perUser.hit(`${request.ip}|${user.userId}`);
    if (!rateLimit.allowed) throw new RateLimited(rateLimit);

    const targetId = request.target ?? request.client.clientId;
    const target = targetId === request.client.clientId ? request.client : await this.clients.get(targetId);
    if (!target) throw new UnknownTarget(targetId);

    if (request.strictScope && request.scope) {
      const granted = scopeValues(resolved.credential.scope);
      const extra = [...scopeValues(request.scope)].filter((s) => !granted.has(s));
      if (extra.length > 0) throw new ScopeNotGranted(extra);
    }
    const scope = exchangeScope(request.scope, resolved.credential.scope);
    const signed = await this.signer.sign(
      idTokenClaims(user, scope, { aud: target.clientId, azp: request.client.clientId }),
      { alg: target.idTokenAlg, lifetimeSeconds: target.idTokenLifetimeSeconds },
    );
    await this.credentials
      .recordDelegation(
        resolved,
        {
          presentedBy: request.client.clientId,
          target: target.clientId,
          apiType: request.apiType,
          jti: signed.jti,
          expiresAt: new Date(signed.exp * 1000),
          via: request.via,
          scope,
        },
        context,
      )
      .catch(async (error: unknown) => {
        await this.failureLog.record(error, request, context);
        throw error;
      });
    return {
      idToken: signed.token,
      expiresIn: signed.exp - signed.iat,
      scope,
      user,
      credential: resolved.credential,
      rateLimit,
    };
  }
}
