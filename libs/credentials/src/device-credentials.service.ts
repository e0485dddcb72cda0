import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  canDelegate,
  credentialId as newCredentialId,
  DomainError,
  type CredentialState,
  type IssuingGrant,
  type RevocationReason,
} from '@libs/domain';
import type { WriteContext } from '@libs/event-store';
import { randomToken, SecretKeys } from '@libs/security';
import { CredentialLookup } from './credential-lookup';
import { RefreshTokenRefused } from './refresh-token-refused';
import { CredentialCommands, type LoadedStream } from './runner/command-runner';

export type ActiveCredential = Extract<CredentialState, { credentialId: string }>;

/** A credential cleared for an exchange, with the stream position it was checked at. */
export interface ResolvedCredential {
  credential: ActiveCredential;
  stream: LoadedStream;
}

export interface IssueRequest {
  userId: string;
  clientId: string;
  deviceName: string;
  scope: string;
  grant: IssuingGrant;
  /** A pre-allocated credential id (the authorization-code grant records it with the code). */
  credentialId?: string;
}

/**
 * The refresh-token lifecycle as the HTTP layer sees it: issue, resolve for an exchange, record the
 * exchange, revoke. Tokens leave this service once, at issuance; only their keyed hash is kept.
 */
@Injectable()
export class DeviceCredentials {
  constructor(
    private readonly commands: CredentialCommands,
    private readonly lookup: CredentialLookup,
    private readonly keys: SecretKeys,
  ) {}

  /** A new credential id (`dcr_…`). */
  newId(): string {
    return newCredentialId(randomBytes(16));
  }

  /** Issues a refresh token; resolves once its `TokenIssued` is durable (DESIGN guarantee 3). */
  async issue(
    request: IssueRequest,
    context: WriteContext,
  ): Promise<{ refreshToken: string; credentialId: string }> {
    const refreshToken = randomToken(32); // 256 bits from the CSPRNG (RFC 6749 §10.10)
    const credentialId = request.credentialId ?? this.newId();
    await this.commands.execute(
      credentialId,
      {
        type: 'IssueToken',
        credentialId,
        userId: request.userId,
        clientId: request.clientId,
        deviceName: request.deviceName,
        scope: request.scope,
        tokenHash: this.keys.refreshTokenHash(refreshToken),
        grant: request.grant,
        now: new Date(),
      },
      context,
    );
    return { refreshToken, credentialId };
  }

  /**
   * The credential a refresh token names, if `clientId` may exchange it now: checked against the view
   * and every event the view has not applied yet. Throws `invalid_refresh_token` otherwise.
   */
  async resolve(refreshToken: string, clientId: string): Promise<ResolvedCredential> {
    const found = await this.lookup.byTokenHash(this.keys.refreshTokenHash(refreshToken));
    if (!found) throw new RefreshTokenRefused('unknown_token');
    const stream =
      (found.snapshot && found.tail && this.commands.fromTail(found.snapshot, found.tail)) ||
      (await this.commands.load(found.credentialId, found.snapshot));
    const { state } = stream;
    if (state.status === 'none') throw new RefreshTokenRefused('unknown_token');
    if (!canDelegate(state, clientId)) {
      throw new RefreshTokenRefused(state.clientId === clientId ? 'revoked' : 'wrong_client', state);
    }
    return { credential: state, stream };
  }

  /**
   * Records an exchange; resolves once `IdTokenDelegated` is durable. Decided again on the stream's
   * latest events, so a revocation that landed since `resolve` still refuses it.
   */
  async recordDelegation(
    resolved: ResolvedCredential,
    delegation: {
      presentedBy: string;
      target: string;
      apiType: string;
      jti: string;
      expiresAt: Date;
      via: 'delegation' | 'refresh_token';
      /** The scope the id_token was issued with. */
      scope: string;
    },
    context: WriteContext,
  ): Promise<void> {
    await this.commands
      .execute(
        resolved.credential.credentialId,
        {
          type: 'DelegateIdToken',
          presentedBy: delegation.presentedBy,
          target: delegation.target,
          apiType: delegation.apiType,
          idTokenJti: delegation.jti,
          expiresAt: delegation.expiresAt,
          via: delegation.via,
          scope: delegation.scope,
          now: new Date(),
        },
        context,
        resolved.stream,
      )
      .catch((error: unknown) => {
        // Only a revocation committed since `resolve` makes the decider refuse here.
        if (error instanceof DomainError && error.code === 'invalid_refresh_token') {
          throw new RefreshTokenRefused('revoked', resolved.credential);
        }
        throw error;
      });
  }

  /**
   * Revokes a credential; idempotent: resolves `true` once this call's `TokenRevoked` is durable, `false`
   * when it was revoked already. Rejects with `credential_not_found` for an unknown id.
   */
  async revoke(
    credentialId: string,
    reason: RevocationReason,
    actor: string,
    context: WriteContext,
  ): Promise<boolean> {
    const { events } = await this.commands.execute(
      credentialId,
      { type: 'RevokeToken', reason, actor, now: new Date() },
      context,
    );
    return events.length > 0;
  }

  /**
   * The credential a refresh token names, whatever its state, if it was issued to `clientId`
   * (RFC 7009 §2.1: a client revokes only its own tokens).
   */
  async findOwn(refreshToken: string, clientId: string): Promise<string | null> {
    const found = await this.lookup.byTokenHash(this.keys.refreshTokenHash(refreshToken));
    if (!found) return null;
    const { state } = await this.commands.load(found.credentialId, found.snapshot);
    return state.status !== 'none' && state.clientId === clientId ? state.credentialId : null;
  }
}
