import { Command } from '@nestjs/cqrs';
import type { IssuingGrant, RefreshTokenPolicy } from '@libs/domain';
import type { WriteContext } from '@libs/event-store';

export interface IssueRequest {
  userId: string;
  clientId: string;
  deviceName: string;
  scope: string;
  grant: IssuingGrant;
  /** A pre-allocated credential id (the authorization-code grant records it with the code). */
  credentialId?: string;
  /** The client's refresh-token policy (rotation, lifetimes); the legacy one when absent. */
  policy?: RefreshTokenPolicy;
  /** The DPoP key (RFC 7638 thumbprint) the token is bound to; a bearer token when absent. */
  jkt?: string;
}

/** A refresh token as issued: the only time the token itself leaves this service. */
export interface IssuedCredential {
  refreshToken: string;
  credentialId: string;
}

/** Issue a refresh token bound to (client, user, device); resolves once its `TokenIssued` is durable. */
export class IssueCredential extends Command<IssuedCredential> {
  constructor(
    readonly request: IssueRequest,
    readonly context: WriteContext,
  ) {
    super();
  }
}
