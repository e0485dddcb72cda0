import { Injectable } from '@nestjs/common';
import { credentialDecider, type CredentialState } from '@libs/domain';
import { SecretKeys } from '@libs/security';
import { CredentialLookup } from './credential-lookup';
import { CommandRunner, type LoadedStream } from './runner/command-runner';

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

  /** The stream `refreshToken` names; null for a token this service never issued. */
  async byRefreshToken(refreshToken: string): Promise<LoadedStream<CredentialState> | null> {
    const found = await this.lookup.byTokenHash(this.keys.refreshTokenHash(refreshToken));
    if (!found) return null;
    return (
      (found.snapshot && found.tail && this.runner.fromTail(credentialDecider, found.snapshot, found.tail)) ||
      (await this.runner.load(credentialDecider, found.credentialId, found.snapshot))
    );
  }
}
