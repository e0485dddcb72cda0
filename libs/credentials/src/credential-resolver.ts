import { Injectable } from '@nestjs/common';
import { credentialDecider, refusalOf, type CredentialState, type RefusalReason } from '@libs/domain';
import { SecretKeys } from '@libs/security';
import type { User } from '@libs/tenants';
import { CredentialLookup, type FoundCredential } from './credential-lookup';
import { CommandRunner, type LoadedStream } from './runner/command-runner';

/**
 * A credential's stream as resolved for a presented token, with its owner when the look-up read the user
 * in the same statement (absent when the stream came from the event store: ask the user repository).
 */
export type ResolvedStream = LoadedStream<CredentialState> & {
  owner?: User | null;
  /** The keyed hash of the refresh token it was found by (a rotating family's decisions need it). */
  tokenHash?: string;
  /** When that token was retired, as the store's index has it, for a family's older token (`Presentation`). */
  retiredAt?: string;
};

/** A credential that exists (issued; active or revoked). */
export type ActiveCredential = Extract<CredentialState, { credentialId: string }>;

/**
 * The stream a presented refresh token names, as of now: the view and the events it has not applied
 * (one statement, see `CredentialLookup`), or the event store for a token not projected yet. Whether the
 * token may be used is the decider's `refusalOf`; this only finds and folds.
 */
@Injectable()
export class CredentialResolver {
  constructor(
    private readonly lookup: CredentialLookup,
    private readonly runner: CommandRunner,
    private readonly keys: SecretKeys,
  ) {}

  /**
   * The stream `refreshToken` names; null for a token this service never issued. Looked up by its hash
   * under the current server secret, then under each previous one (a token issued before the secret
   * rotated keeps its credential, and its events keep the hash it was issued with).
   */
  async byRefreshToken(refreshToken: string): Promise<ResolvedStream | null> {
    const match = await this.keys.findByHash('refresh-token-hash', refreshToken, (hash) =>
      this.lookup.byTokenHash(hash),
    );
    if (!match) return null;
    const retiredAt = match.found.retiredAt === undefined ? {} : { retiredAt: match.found.retiredAt };
    return { ...(await this.streamOf(match.found)), tokenHash: match.hash, ...retiredAt };
  }

  /**
   * The stream of the credential an id_token or access token names (its `dcr_…` id), resolved like a
   * refresh token's: a revoke that has returned is seen also while the projector lags.
   */
  async byId(credentialId: string): Promise<ResolvedStream> {
    return this.streamOf(await this.lookup.byId(credentialId));
  }

  /**
   * Why `clientId` may no longer use the credential a token names (revoked, expired, another client's,
   * unknown), or null: what `/userinfo` and introspection ask of an access token bound to a credential.
   * The family's absolute and idle lifetimes count as of `now` — the decider's rules, before any exchange
   * has recorded `TokenExpired` (issue 19 finding 8); a read, so nothing is recorded here either.
   */
  async refusalById(
    credentialId: string,
    clientId: string,
    now: Date = new Date(),
  ): Promise<RefusalReason | null> {
    return refusalOf((await this.byId(credentialId)).state, clientId, undefined, { now });
  }

  private async streamOf(found: FoundCredential): Promise<ResolvedStream> {
    const fromView =
      found.snapshot && found.tail && this.runner.fromTail(credentialDecider, found.snapshot, found.tail);
    if (fromView) return { ...fromView, owner: found.owner };
    return this.runner.load(credentialDecider, found.credentialId, found.snapshot);
  }
}
