import { FindingLog } from './finding';
import { TopicSequence, type TopicEvent } from './topic-sequence';

const event = (stream: string, version: number, offset = version): TopicEvent => ({
  event_id: `${stream}-e${version}`,
  stream_id: stream,
  stream_version: version,
  location: `partition 0 offset ${offset}`,
});

const run = (events: TopicEvent[]) => {
  const findings = new FindingLog();
  const sequence = new TopicSequence(findings);
  const arrivals = events.map((e) => sequence.observe(e));
  sequence.finish();
  return { arrivals, sequence, findings: findings.list() };
};

describe('TopicSequence', () => {
  it('accepts each stream in order', () => {
    const { arrivals, findings, sequence } = run([event('A', 1), event('B', 1), event('A', 2)]);
    expect(arrivals).toEqual(['next', 'next', 'next']);
    expect(findings).toEqual([]);
    expect([sequence.lastVersion('A'), sequence.lastVersion('B'), sequence.lastVersion('C')]).toEqual([
      2, 1, 0,
    ]);
  });

  it('counts a republished batch as duplicates, not findings (at-least-once)', () => {
    const { arrivals, findings, sequence } = run(
      [1, 2, 3, 2, 3, 4].map((v, offset) => event('A', v, offset)),
    );
    expect(arrivals).toEqual(['next', 'next', 'next', 'duplicate', 'duplicate', 'next']);
    expect(findings).toEqual([]);
    expect(sequence.duplicates).toBe(2);
  });

  it('REORDERED: names the version that comes after a later one', () => {
    const { findings } = run([event('A', 1), event('A', 3), event('A', 2), event('A', 4)]);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'reordered', where: 'topic', event_id: 'A-e2', stream_version: 2 }),
    ]);
    expect(findings[0].detail).toContain('after version 3 (event A-e3, partition 0 offset 3)');
  });

  it('REMOVED: a version that never comes', () => {
    const { findings } = run([event('A', 1), event('A', 3), event('A', 4)]);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'removed',
        where: 'topic',
        event_id: null,
        stream_id: 'A',
        stream_version: 2,
      }),
    ]);
  });
});
