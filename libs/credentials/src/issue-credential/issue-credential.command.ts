import { Command } from '@nestjs/cqrs';
import type { IssuingGrant } from '@libs/domain';
import type { WriteContext } from '@libs/event-store';

export interface IssueRequest {
  userId: string;
  clientId: string;
  deviceName: string;
  scope: string;
  grant: IssuingGrant;
  /** A pre-allocated credential id (the authorization-code grant records it with the code). */
  credentialId?: string;
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
