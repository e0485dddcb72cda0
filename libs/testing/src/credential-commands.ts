import { CommandRunner } from '@libs/credentials';
import { credentialDecider, type CredentialCommand, type CredentialState } from '@libs/domain';
import type { EventStore, WriteContext } from '@libs/event-store';

/** The credential write path over `store`, for specs that record events without the Nest module around it. */
export function credentialCommands(store: EventStore) {
  const runner = new CommandRunner(store);
  return {
    execute: (
      streamId: string,
      command: CredentialCommand | ((state: CredentialState) => CredentialCommand),
      context: WriteContext,
    ) => runner.handle(credentialDecider, streamId, command, { context }),
    load: (streamId: string) => runner.load(credentialDecider, streamId),
  };
}
