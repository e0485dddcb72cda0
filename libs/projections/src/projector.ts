import { Logger } from '@nestjs/common';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { upcast, UnsupportedEventError, type EventEnvelope } from '@libs/domain';
import { decodeEnvelope } from '@libs/event-store';
import { ConsumerGroup } from '@libs/messaging';
import type { Metrics } from '@libs/platform';
import type { Projection } from './device-credentials/device-credential.projection';

export interface ProjectorOptions {
  groupId: string;
  topic: string;
  projection: Projection;
  metrics?: Metrics;
}

/**
 * A consumer-group member that applies events to a projection. Each batch is applied and its
 * checkpoint (the next offset of that partition) stored in ONE PostgreSQL transaction; messages below
 * the stored checkpoint are skipped, and on every (re)assignment the member seeks to the stored
 * checkpoints. A crash or a rebalance therefore neither loses nor double-applies an event.
 */
export class Projector {
  private readonly logger = new Logger(Projector.name);
  private readonly group: ConsumerGroup;
  /** Events applied by this member since it started (for tests and metrics). */
  applied = 0;
  skipped = 0;
  /** The checkpoint each partition was last sought back to (see `rewind`). */
  private readonly rewoundTo = new Map<number, bigint>();
  private assignments = 0;
  private stopped = false;

  constructor(
    kafka: Kafka,
    private readonly db: DataSource,
    private readonly options: ProjectorOptions,
  ) {
    this.group = new ConsumerGroup(kafka, {
      groupId: options.groupId,
      topics: [options.topic],
      fromBeginning: true,
      eachBatch: (payload) =>
        this.applyBatch(payload).catch((error: unknown) => {
          options.metrics?.failed(error, 'projector_batch');
          throw error;
        }),
      onAssignment: (assignment) =>
        void this.seekWhenPossible(assignment[options.topic] ?? [], ++this.assignments),
    });
  }

  async start(): Promise<void> {
    await this.group.start();
    this.logger.log({ msg: 'projector started', group: this.options.groupId, topic: this.options.topic });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.group.stop();
  }

  /**
   * A (re)assignment while PostgreSQL is down must not end the process (an unhandled rejection would):
   * keep trying until the checkpoints can be read; the batches fail meanwhile, as PostgreSQL is down.
   */
  private async seekWhenPossible(partitions: number[], assignment: number): Promise<void> {
    for (let attempt = 0; !this.stopped && assignment === this.assignments; attempt++) {
      try {
        return await this.seekToCheckpoints(partitions);
      } catch (error) {
        if (attempt === 0)
          this.logger.warn({ msg: 'cannot read the checkpoints yet; retrying', err: String(error) });
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * 2 ** attempt)));
      }
    }
  }

  private async seekToCheckpoints(partitions: number[]): Promise<void> {
    const rows: { partition: number; next_offset: string }[] = await this.db.query(
      `SELECT partition, next_offset FROM projection_checkpoints
       WHERE projection = $1 AND topic = $2 AND partition = ANY($3::int[])`,
      [this.options.projection.name, this.options.topic, partitions],
    );
    for (const row of rows) {
      this.group.consumer.seek({
        topic: this.options.topic,
        partition: row.partition,
        offset: row.next_offset,
      });
    }
  }

  /**
   * A batch that starts past the stored checkpoint (the seek on assignment did not happen, e.g. while
   * PostgreSQL was down, and the group's committed offset ran ahead) would skip events: seek back to the
   * checkpoint and drop the batch. Once per gap: if the broker no longer has those offsets (retention was
   * shortened by hand), say so loudly and go on — they cannot be read again.
   */
  private rewind(partition: number, checkpoint: bigint): boolean {
    if (this.rewoundTo.get(partition) === checkpoint) {
      this.logger.error({
        msg: 'events between the checkpoint and the first available offset are gone from the topic',
        partition,
        checkpoint: checkpoint.toString(),
      });
      return false;
    }
    this.rewoundTo.set(partition, checkpoint);
    this.logger.warn({ msg: 'batch starts past the checkpoint; seeking back', partition });
    this.group.consumer.seek({ topic: this.options.topic, partition, offset: checkpoint.toString() });
    return true;
  }

  private async applyBatch({ batch, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const { topic, partition } = batch;
    const name = this.options.projection.name;
    const before = this.applied;
    await this.db.transaction(async (tx) => {
      const [checkpoint] = await tx.query(
        `SELECT next_offset FROM projection_checkpoints
         WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
        [name, topic, partition],
      );
      const from = BigInt(checkpoint?.next_offset ?? 0);
      if (checkpoint && BigInt(batch.messages[0].offset) > from && this.rewind(partition, from)) return;
      const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
      this.skipped += batch.messages.length - fresh.length;
      if (fresh.length === 0) return;

      const events: EventEnvelope[] = [];
      for (const message of fresh) {
        try {
          events.push(upcast(decodeEnvelope(message)));
        } catch (error) {
          // A message that is not an event cannot be projected now or later: record it and move on. An
          // event of a newer release is skipped the same way: readers are deployed before writers.
          this.logger.error({
            msg:
              error instanceof UnsupportedEventError
                ? 'skipping an event this release cannot read'
                : 'skipping a malformed message',
            topic,
            partition,
            offset: message.offset,
            err: String(error),
          });
        }
      }
      await this.options.projection.apply(tx, events);
      const next = (BigInt(fresh[fresh.length - 1].offset) + 1n).toString();
      await tx.query(
        `INSERT INTO projection_checkpoints (projection, topic, partition, next_offset, updated_at)
         VALUES ($1, $2, $3, $4, now())
         ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
        [name, topic, partition, next],
      );
      this.applied += events.length;
    });
    const { groupId: group, metrics } = this.options;
    const lastTimestamp = batch.messages[batch.messages.length - 1].timestamp;
    const [applied, offsetLag] = [this.applied - before, batch.offsetLag()];
    metrics?.recordProjection({ group, topic, partition, applied, offsetLag, lastTimestamp });
    await heartbeat();
  }
}
