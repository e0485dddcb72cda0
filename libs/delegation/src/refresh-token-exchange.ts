import { Injectable } from '@nestjs/common';
import { AppConfig } from '@libs/config';
import {
  DeviceCredentials,
  RefreshTokenRefused,
  type ActiveCredential,
  type ResolvedCredential,
} from '@libs/credentials';
import { DomainError } from '@libs/domain';
import type { WriteContext } from '@libs/event-store';
import { TokenSigner, TokenVerificationError, TokenVerifier } from '@libs/jwt';
import { IdTokenKeys, JWT_BEARER_GRANT, UserRepository, type Client, type User } from '@libs/management';
import { Metrics } from '@libs/platform';
import { ClientCache } from './credentials/client-cache';
import { DelegationFailureLog } from './failures/delegation-failure-log';

import {
  CREDENTIAL_CLAIM,
  exchangeScope,
  idTokenClaims,
  intersectScope,
  presentedScope,
  scopeValues,
} from './id-tokens/id-token-claims';
import { FailedLookupLimiter } from './rate-limit/failed-lookup-limiter';
import { RateLimiter, type RateLimitDecision } from './rate-limit/rate-limiter';

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
};

export interface ExchangeResult {
  idToken: string;
  expiresIn: number;
  scope: string;
  user: User;
  /** The credential the new id_token is bound to; none for the renewal of an unbound id_token. */
  credential?: ActiveCredential;
  rateLimit: RateLimitDecision;
}

/** What the presented token grants: the credential behind it (if any), its user, its scope, its end. */
interface Grant {
  resolved?: ResolvedCredential;
  userId: string;
  scope: string;
  /** Epoch seconds the new id_token must not outlive (an unbound id_token's own `exp`). */
  notAfter?: number;
}

/** Refused after too many requests; carries the headers to send. */
export class RateLimited extends Error {
  constructor(readonly decision: RateLimitDecision) {
    super('Too many requests.');
  }
}

/** Refused because the target client does not exist. */
export class UnknownTarget extends Error {}

/** Refused because the target client does not accept the jwt-bearer grant (delegation). */
export class TargetNotAllowed extends Error {}

/** Refused because the request asked for scope the credential was not granted. */
export class ScopeNotGranted extends Error {
  constructor(readonly extra: string[]) {
    super(`Scope not granted to this refresh token: ${extra.join(' ')}`);
  }
}

/** How an exchange ended, for the metrics: refused with the audit trail's reason, rate limited, or an error. */
function exchangeOutcome(error: unknown): { outcome: string; reason: string } {
  if (error instanceof RateLimited) return { outcome: 'rate_limited', reason: '' };
  if (error instanceof RefreshTokenRefused) return { outcome: 'refused', reason: error.reason };
  if (error instanceof UnknownTarget) return { outcome: 'refused', reason: 'unknown_target' };
  if (error instanceof ScopeNotGranted) return { outcome: 'refused', reason: 'scope_not_granted' };
  if (error instanceof DomainError) return { outcome: 'refused', reason: error.code };
  return { outcome: 'error', reason: '' };
}

/**
 * The hot path shared by `/delegation` (both forms) and the `refresh_token` grant: resolve the presented
 * token against the view and the newer events, check the user, sign the id_token, record
 * `IdTokenDelegated`, and only then answer (DESIGN guarantees 1 and 3).
 *
 * An id_token bound to a credential (`CREDENTIAL_CLAIM`) is resolved like its refresh token: refused once
 * that is revoked, renewed only by the credential's own client, recorded on its stream. An unbound one
 * (a login without `offline_access`) has no stream to record on: its renewal records nothing, and the new
 * token never outlives it (`exp` ≤ the presented `exp`), so it cannot be renewed forever.
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
    private readonly verifier: TokenVerifier,
    private readonly failureLog: DelegationFailureLog,
    private readonly idTokenKeys: IdTokenKeys,
    config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.perUser = new RateLimiter(config.rateLimits.delegationPerMinute, 60_000);
    this.failures = new FailedLookupLimiter(config.rateLimits.failuresPerMinute);
  }

  /**
   * The budget refused requests from `ip` count against (failed look-ups per address and minute): what
   * `/delegation` reports in its X-RateLimit-* headers when it refuses before knowing the user.
   */
  refusalBudget(ip: string): RateLimitDecision {
    return this.failures.addressBudget(ip);
  }

  /** Exchanges a refresh token, counting the outcome (`token_exchanges_total`). */
  async exchange(request: ExchangeRequest, context: WriteContext): Promise<ExchangeResult> {
    const counted = (labels: { outcome: string; reason: string }) =>
      this.metrics.exchanges.inc({ via: request.via, ...labels });
    return this.attempt(request, context).then(
      (result) => (counted({ outcome: 'ok', reason: '' }), result),
      (error: unknown) => (counted(exchangeOutcome(error)), Promise.reject(error)),
    );
  }

  private async attempt(request: ExchangeRequest, context: WriteContext): Promise<ExchangeResult> {
    const refusal = this.failures.refusal(request.ip, request.client.clientId);
    if (refusal) throw new RateLimited(refusal);

    let grant: Grant;
    let user: User | null = null;
    try {
      grant =
        request.idToken !== undefined
          ? await this.idTokenGrant(request.idToken, request.client)
          : await this.refreshTokenGrant(request.refreshToken, request.client.clientId);
      user = await this.users.findById(grant.userId);
      // A blocked or deleted user's tokens stop working (their revocation events may still be on the way).
      if (!user || user.blocked) {
        throw new RefreshTokenRefused(user ? 'user_blocked' : 'user_missing', grant.resolved?.credential);
      }
    } catch (caught) {
      const error = await this.ownerDeleted(caught);
      if (error instanceof DomainError) this.failures.recordFailure(request.ip, request.client.clientId);
      await this.failureLog.record(error, request, context);
      throw error;
    }

    const rateLimit = this.perUser.hit(`${request.ip}|${user.userId}`);
    if (!rateLimit.allowed) throw new RateLimited(rateLimit);

    const targetId = request.target ?? request.client.clientId;
    const target = targetId === request.client.clientId ? request.client : await this.clients.get(targetId);
    if (!target) throw new UnknownTarget(targetId);
    if (!target.grantTypes.includes(JWT_BEARER_GRANT) && request.via === 'delegation') {
      throw new TargetNotAllowed(targetId);
    }

    if (request.strictScope && request.scope) {
      const granted = scopeValues(grant.scope);
      const extra = [...scopeValues(request.scope)].filter((s) => !granted.has(s));
      if (extra.length > 0) throw new ScopeNotGranted(extra);
    }
    const scope = exchangeScope(request.scope, grant.scope);
    const { resolved } = grant;
    const signed = await this.signer
      .sign(
        idTokenClaims(user, scope, {
          aud: target.clientId,
          azp: request.client.clientId,
          credentialId: resolved?.credential.credentialId,
        }),
        // Signed for the target: with the target's secret when it uses HS256 (as Auth0 documents).
        { ...this.idTokenKeys.signOptions(target), notAfter: grant.notAfter },
      )
      .catch((error: unknown) => {
        // The presented id_token expired between its verification and this signature.
        if (error instanceof RangeError && grant.notAfter !== undefined) {
          throw new RefreshTokenRefused('invalid_id_token');
        }
        throw error;
      });
    if (resolved) {
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
    }
    return {
      idToken: signed.token,
      expiresIn: signed.exp - signed.iat,
      scope,
      user,
      credential: resolved?.credential,
      rateLimit,
    };
  }

  private async refreshTokenGrant(refreshToken: string, clientId: string): Promise<Grant> {
    const resolved = await this.credentials.resolve(refreshToken, clientId);
    return { resolved, userId: resolved.credential.userId, scope: resolved.credential.scope };
  }

  /**
   * An id_token of this tenant issued to `clientId`. Bound to a credential, it grants what that
   * credential still grants, narrowed to the token's own scope; unbound, its own scope until its own `exp`.
   */
  private async idTokenGrant(idToken: string, client: Client): Promise<Grant> {
    const clientId = client.clientId;
    let claims;
    try {
      // An HS256 client's id_tokens are verified with its own secret, never with a key the token names.
      const hs256Key = this.idTokenKeys.verificationKey(client);
      claims = await this.verifier.verify(idToken, { audience: clientId, hs256Key });
    } catch (error) {
      if (error instanceof TokenVerificationError) throw new RefreshTokenRefused('invalid_id_token');
      throw error;
    }
    const credentialId = claims[CREDENTIAL_CLAIM];
    if (
      !claims.sub ||
      claims.exp === undefined ||
      (credentialId !== undefined && typeof credentialId !== 'string')
    ) {
      throw new RefreshTokenRefused('invalid_id_token');
    }
    const scope = presentedScope(claims);
    if (credentialId === undefined) return { userId: claims.sub, scope, notAfter: claims.exp };
    const resolved = await this.credentials.resolveById(credentialId, clientId);
    if (resolved.credential.userId !== claims.sub) {
      throw new RefreshTokenRefused('invalid_id_token', resolved.credential);
    }
    return { resolved, userId: claims.sub, scope: intersectScope(scope, resolved.credential.scope) };
  }

  /**
   * Deleting a user revokes their tokens, so a deleted user's token is usually refused as revoked: when
   * its owner no longer exists, the refusal says so (Auth0 answers that case with its own text). Only a
   * genuine token of this client gets this far, so a guesser learns nothing from it.
   */
  private async ownerDeleted(error: unknown): Promise<unknown> {
    if (!(error instanceof RefreshTokenRefused) || error.reason !== 'revoked' || !error.credential)
      return error;
    const owner = await this.users.findById(error.credential.userId);
    return owner ? error : new RefreshTokenRefused('user_missing', error.credential);
  }
}
