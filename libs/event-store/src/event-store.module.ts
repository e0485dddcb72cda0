import { DynamicModule, Module } from '@nestjs/common';
import { MetricsModule } from '@libs/platform';
import { EventStore } from './event-store.port';
import { OutboxRelay } from './outbox-relay';
import { PostgresEventStore } from './postgres-event-store';

/** The event store and (where the process publishes) the outbox relay. */
@Module({})
export class EventStoreModule {
  static forRoot(options: { relay: boolean }): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      imports: [MetricsModule],
      providers: [
        PostgresEventStore,
        { provide: EventStore, useExisting: PostgresEventStore },
        ...(options.relay ? [OutboxRelay] : []),
      ],
      exports: [EventStore, ...(options.relay ? [OutboxRelay] : [])],
    };
  }
}
