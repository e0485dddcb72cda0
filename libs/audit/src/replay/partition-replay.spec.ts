import type { KafkaMessage } from 'kafkajs';
import { SCHEMA_VERSIONS } from '@libs/domain';
import type { DeviceCredentialRow } from '@libs/projections';
import { PartitionReplay, ReplayTally } from './partition-replay';
import type { ReplayTable } from './replay-table';
import { RowCache } from './row-cache';

/** The table's two operations, in memory; each upsert commits only when the test releases it. */
class HeldTable {
  readonly rows = new Map<string, DeviceCredentialRow>();
  readonly held: (() => void)[] = [];

  async load(ids: string[]) {
    return new Map(
      ids.flatMap((id) => (this.rows.has(id) ? [[id, { ...this.rows.get(id)! }] as const] : [])),
    );
  }

  upsert(rows: DeviceCredentialRow[]): Promise<void> {
    return new Promise((resolve) =>
      this.held.push(() => {
        for (const row of rows) this.rows.set(row.id, { ...row });
        resolve();
      }),
    );
  }

  release(): void {
    this.held.shift()!();
  }
}

let offset = 0;
const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
function message(id: string, version: number): KafkaMessage {
  const type = version === 1 ? 'TokenIssued' : 'IdTokenDelegated';
  // The current shape of each type (IdTokenDelegated's scope and TokenIssued's terms arrived with v2).
  const data =
    type === 'TokenIssued'
      ? {
          credential_id: id,
          user_id: 'u',
          client_id: 'c',
          device_name: 'd',
          scope: 'openid',
          token_hash: `h-${id}`,
          issued_at: at(1),
          grant: 'password',
          terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: null },
          jkt: null,
        }
      : {
          credential_id: id,
          user_id: 'u',
          client_id: 'c',
          target: 'c',
          api_type: 'app',
          id_token_jti: `j${version}`,
          expires_at: at(version),
          delegated_at: at(version),
          via: 'delegation',
          scope: 'openid',
        };
  const envelope = {
    event_id: `${id}-${version}`,
    type,
    schema_version: SCHEMA_VERSIONS[type],
    stream_id: id,
    stream_version: version,
    occurred_at: at(version),
    correlation_id: 'c',
    causation_id: null,
    previous_hash: null,
    hash: 'h',
    data,
  };
  return {
    key: Buffer.from(id),
    value: Buffer.from(JSON.stringify(envelope)),
    headers: {},
    offset: String(offset++),
    timestamp: '0',
    attributes: 0,
  } as KafkaMessage;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('PartitionReplay', () => {
  it('folds on top of rows still being written, and keeps one write in flight', async () => {
    const table = new HeldTable();
    const tally = new ReplayTally();
    const replay = new PartitionReplay(0, table as unknown as ReplayTable, new RowCache(2), tally, 2);

    await replay.fold([message('a', 1), message('a', 2)]); // 2 messages: the first write starts
    expect(table.held).toHaveLength(1);
    // "b" pushes "a" out of the tiny cache: a's row now exists only in the write in flight.
    await replay.fold([message('b', 1)]);
    let folded = false;
    const second = replay.fold([message('a', 3)]).then(() => (folded = true));
    await flush();
    expect({ folded, held: table.held.length }).toEqual({ folded: false, held: 1 }); // waits to write
    table.release();
    await second;
    expect(table.held).toHaveLength(1); // the second write, started once the first committed
    const third = replay.fold([message('c', 1), message('a', 4)]);
    await flush();
    table.release();
    await third;
    const finishing = replay.finish();
    await flush();
    table.release();
    await finishing;

    expect(table.rows.get('a')).toMatchObject({ delegation_count: 3, version: 4, last_used_at: at(4) });
    expect([...table.rows.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect({ messages: tally.messages, events: tally.events, writes: tally.writeMs.length }).toEqual({
      messages: 6,
      events: 6,
      writes: 3,
    });
  });

  it('counts what cannot be folded and writes the rest', async () => {
    const table = new HeldTable();
    const tally = new ReplayTally();
    const replay = new PartitionReplay(7, table as unknown as ReplayTable, new RowCache(10), tally, 100);
    const broken = { ...message('x', 1), value: Buffer.from('{"oops":') };
    await replay.fold([message('a', 1), broken, message('a', 2)]);
    const finishing = replay.finish();
    await flush();
    table.release();
    await finishing;
    expect(tally.malformedCount).toBe(1);
    expect(tally.malformed[0]).toMatchObject({ partition: 7, offset: broken.offset });
    expect(table.rows.get('a')).toMatchObject({ delegation_count: 1, version: 2 });
  });
});
