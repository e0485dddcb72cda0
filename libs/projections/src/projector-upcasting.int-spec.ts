import { Logger } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { loadConfig } from '@libs/config';
import type { EventEnvelope, StoredEnvelope } from '@libs/domain';
import { encodeEnvelope, EventHasher } from '@libs/event-store';
import { ensureTopics, eventTopic, eventTopicSpec } from '@libs/messaging';
import {
  createTestStack,
  deleteTopics,
  eventually,
  insertStoredEvents,
  testKafka,
  type TestStack,
} from '@libs/testing';
import { DeviceCredentialProjection, Projector } from '@libs/projections';
import written from '../../domain/src/upcasting/fixtures/release-0.1.0.events.json';

const log = written as StoredEnvelope[];
const PIXEL = 'dcr_R7kQ2mX9pLw4Zt1B';
const FIREFOX = 'dcr_9fHc3VnY0sJq6DkE';

// The stack's configuration keeps the development secrets: the same audit key.
const hasher = EventHasher.fromConfig(loadConfig({}));

/** The next event of a stream, hashed (keyed) and chained as this release's event store writes it. */
function next(
  previous: StoredEnvelope,
  occurredAt: string,
  fields: Pick<EventEnvelope, 'type' | 'data' | 'schema_version'>,
) {
  const unsigned = {
    event_id: `00000000-0000-4000-8000-00000000000${previous.stream_version + 1}`,
    stream_id: previous.stream_id,
    stream_version: previous.stream_version + 1,
    occurred_at: occurredAt,
    correlation_id: 'req-upgraded',
    causation_id: null,
    previous_hash: previous.hash,
    ...fields,
  };
  return { ...unsigned, hash: hasher.hash(unsigned as Omit<StoredEnvelope, 'hash'>) } as StoredEnvelope;
}

/**
 * A topic holding what release 0.1.0 published (IdTokenDelegated v1, unkeyed hashes, also in the store
 * as that release wrote them), what this release publishes (v2, keyed, chained onto the unkeyed tail)
 * and what a later release might (v3), replayed by the real projector: v1 and v2 fold into the view,
 * v3 is logged and skipped like a malformed message, and the checkpoint moves past all of them.
 */
describe('projector over a log of several releases (real Kafka + PostgreSQL)', () => {
  let stack: TestStack;
  let db: DataSource;
  let projector: Projector;
  const errors = jest.spyOn(Logger.prototype, 'error');

  const firefoxV1 = log.filter((e) => e.stream_id === FIREFOX).at(-1)!;
  const v1Data = firefoxV1.data as EventEnvelope<{ type: 'IdTokenDelegated'; data: object }>['data'];
  // Timestamps shortly after the fixture's: the broker refuses message timestamps over an hour ahead.
  const delegatedV2 = next(firefoxV1, '2026-11-26T01:30:00.004Z', {
    type: 'IdTokenDelegated',
    schema_version: 2,
    data: { ...v1Data, delegated_at: '2026-11-26T01:30:00.000Z', scope: 'openid' },
  } as Pick<EventEnvelope, 'type' | 'data' | 'schema_version'>);
  const delegatedV3 = next(delegatedV2, '2026-11-26T01:31:00.004Z', {
    type: 'IdTokenDelegated',
    schema_version: 3,
    data: { ...v1Data, delegated_at: '2026-11-26T01:31:00.000Z', released_claims: ['sub'] },
  } as unknown as Pick<EventEnvelope, 'type' | 'data' | 'schema_version'>);
  const messages = [...log, delegatedV2, delegatedV3];

  beforeAll(async () => {
    stack = await createTestStack([]);
    db = stack.app.get(DataSource);
    await insertStoredEvents(db, log);
    const kafka = stack.app.get(Kafka);
    await ensureTopics(kafka, [eventTopicSpec(stack.config.kafka)]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: eventTopic(stack.config.kafka.topicPrefix),
      acks: -1,
      messages: messages.map((e) => encodeEnvelope(e as EventEnvelope)),
    });
    await producer.disconnect();
    projector = new Projector(kafka, db, {
      groupId: `${stack.config.kafka.topicPrefix}projector`,
      topic: eventTopic(stack.config.kafka.topicPrefix),
      projection: new DeviceCredentialProjection(),
      hasher,
    });
    await projector.start();
  }, 60_000);
  afterAll(async () => {
    errors.mockRestore();
    await projector?.stop();
    await stack.close();
    await deleteTopics(testKafka(), [eventTopic(stack.config.kafka.topicPrefix)]);
  }, 30_000);

  const covered = async () =>
    (
      await db.query(
        `SELECT coalesce(sum(next_offset), 0)::int AS n FROM projection_checkpoints WHERE projection = 'device-credentials'`,
      )
    )[0].n as number;

  it('applies versions 1 and 2 and moves past the one it cannot read', async () => {
    await eventually(async () => (await covered()) === messages.length, 30_000);
    expect(projector.applied).toBe(messages.length - 1);
  }, 60_000);

  it('builds the view from the upcast events', async () => {
    const rows = await db.query(
      `SELECT id, status, delegation_count, last_used_at, version, grant_type, revoke_reason
       FROM device_credentials ORDER BY id`,
    );
    expect(
      rows.map((r: Record<string, unknown>) => ({
        ...r,
        last_used_at: new Date(r.last_used_at as string).toISOString(),
      })),
    ).toEqual([
      {
        id: FIREFOX,
        status: 'active',
        delegation_count: 2,
        last_used_at: '2026-11-26T01:30:00.000Z',
        version: 3,
        grant_type: 'password',
        revoke_reason: null,
      },
      {
        id: PIXEL,
        status: 'revoked',
        delegation_count: 2,
        last_used_at: '2026-11-26T01:27:32.177Z',
        version: 4,
        grant_type: 'authorization_code',
        revoke_reason: 'management_api',
      },
    ]);
  });

  it('logs the event of a newer release it skipped, saying why', () => {
    const skipped = errors.mock.calls.map(([line]) => line as Record<string, unknown>);
    expect(skipped).toEqual([
      expect.objectContaining({
        msg: 'skipping an event this release cannot read',
        err: expect.stringContaining('IdTokenDelegated schema_version 3'),
      }),
    ]);
  });
});
