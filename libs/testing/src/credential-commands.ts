import { CredentialCommands } from '@libs/credentials';
import type { EventStore } from '@libs/event-store';

/** The credential write path over `store`, for specs that record events without the Nest module around it. */
export function credentialCommands(store: EventStore): CredentialCommands {
  return new CredentialCommands(store);
}
