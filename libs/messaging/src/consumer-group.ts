import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';

export interface ConsumerGroupOptions {
  groupId: string;
  topics: string[];
  /** Read a partition from its first offset when the group has no position for it yet. */
  fromBeginning?: boolean;
  /** Handles one batch of one partition; throwing makes kafkajs retry the batch. */
  eachBatch: (payload: EachBatchPayload) => Promise<void>;
  /** Called with the partitions this member owns after each rebalance. */
  onAssignment?: (assignment: Record<string, number[]>) => void;
}

/** Wait before a member that kafkajs gave up on joins again. */
export const REJOIN_DELAY_MS = 1_000;

/**
 * One member of a consumer group. `start` joins the group and returns once the member runs;
 * `stop` leaves the group after the batch in progress finishes (graceful shutdown).
 *
 * kafkajs restarts a member itself only after a retriable error; one it gives up on (e.g. "Failed to
 * find group coordinator" while the broker restarts) leaves the member stopped for good, and the
 * process would stay up consuming nothing. Such a member joins again after `REJOIN_DELAY_MS`, until it runs.
 */
export class ConsumerGroup {
  readonly consumer: Consumer;
  private stopping = false;
  private rejoin?: NodeJS.Timeout;

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerGroupOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      rebalanceTimeout: 20_000,
      heartbeatInterval: 1_000,
    });
    const { GROUP_JOIN } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => options.onAssignment?.(payload.memberAssignment));
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.rejoinLater();
    });
  }

  private rejoinLater(): void {
    if (this.stopping || this.rejoin) return;
    this.rejoin = setTimeout(() => {
      this.rejoin = undefined;
      if (!this.stopping) this.start().catch(() => this.rejoinLater());
    }, REJOIN_DELAY_MS);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 1,
      eachBatch: this.options.eachBatch,
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.rejoin);
    await this.consumer.disconnect();
  }
}
