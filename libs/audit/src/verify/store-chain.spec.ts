import fc from 'fast-check';
import { FindingLog } from './finding';
import { StoreChain, type ChainLink } from './store-chain';

/** A stream's events as the store holds them: hash `<stream>:<version>`, chained. */
const stream = (id: string, length: number): ChainLink[] =>
  Array.from({ length }, (_, i) => ({
    event_id: `${id}-e${i + 1}`,
    stream_id: id,
    stream_version: i + 1,
    previous_hash: i === 0 ? null : `${id}:${i}`,
    hash: `${id}:${i + 1}`,
    hashMatches: true,
    position: 0,
  }));

/** Checks links in the given order (positions 1, 2, 3 …). */
const check = (links: ChainLink[]) => {
  const findings = new FindingLog();
  const chain = new StoreChain(findings);
  links.forEach((link, i) => chain.check({ ...link, position: i + 1 }));
  chain.finish();
  return { chain, findings: findings.list(), pending: findings.entries };
};

const [a1, a2, a3, a4] = stream('A', 4);
const [b1, b2] = stream('B', 2);

describe('StoreChain', () => {
  it('passes interleaved, whole streams', () => {
    const { chain, findings } = check([a1, b1, a2, a3, b2, a4]);
    expect(findings).toEqual([]);
    expect([chain.events, chain.streams]).toEqual([6, 2]);
    expect(new Map(chain.lastVersions())).toEqual(
      new Map([
        ['A', 4],
        ['B', 2],
      ]),
    );
  });

  it('ALTERED: names an event whose hash does not recompute', () => {
    const { findings } = check([a1, b1, { ...a2, hashMatches: false }, a3, b2, a4]);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'altered',
        where: 'store',
        event_id: 'A-e2',
        stream_version: 2,
        location: 'store position 3',
      }),
    ]);
  });

  it('ALTERED and re-hashed: the next version still records the original hash', () => {
    const { findings, pending } = check([a1, { ...a2, hash: 'forged' }, a3, a4]);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'altered',
        where: 'store',
        event_id: null,
        stream_id: 'A',
        stream_version: 2,
      }),
    ]);
    expect(findings[0].detail).toContain('version 3 (event A-e3');
    expect(pending[0].hash).toBe('forged'); // how the command names it
  });

  it('REMOVED: names the missing version and what follows the hole', () => {
    const { findings } = check([a1, b1, a3, b2, a4]);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'removed',
        where: 'store',
        event_id: null,
        stream_id: 'A',
        stream_version: 2,
      }),
    ]);
    expect(findings[0].detail).toContain('version 3 (event A-e3, store position 3) follows version 1');
  });

  it('REMOVED: a stream that starts after version 1', () => {
    const { findings } = check([a2, a3, a4]);
    expect(findings.map((f) => [f.kind, f.stream_version])).toEqual([['removed', 1]]);
  });

  it('REORDERED: names the version that comes after a later one', () => {
    const { findings } = check([a1, a3, a2, a4]);
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'reordered',
        where: 'store',
        event_id: 'A-e2',
        stream_version: 2,
        location: 'store position 3',
      }),
    ]);
    expect(findings[0].detail).toContain('after version 3 (event A-e3');
  });

  it('INJECTED: a second event for a version the stream has passed', () => {
    const forged = { ...a2, event_id: 'F', hash: 'F-hash' };
    const { findings } = check([a1, a2, a3, a4, forged]);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'injected', where: 'store', event_id: 'F', stream_version: 2 }),
    ]);
  });

  it('INJECTED before the genuine event: the next version chains to the genuine one', () => {
    const forged = { ...a2, event_id: 'F', hash: 'F-hash' };
    const { findings, pending } = check([a1, forged, a2, a3, a4]);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'injected', event_id: null, stream_version: 2 }),
    ]);
    expect(pending[0].hash).toBe('F-hash');
  });

  it('INJECTED after the genuine event, at the tip: the later claimant is named', () => {
    const forged = { ...a4, event_id: 'F', hash: 'F-hash' };
    expect(check([a1, a2, a3, a4, forged]).findings).toEqual([
      expect.objectContaining({ kind: 'injected', event_id: 'F', stream_version: 4 }),
    ]);
  });

  it('lists findings in store order', () => {
    const { findings } = check([a1, a3, b1, { ...b2, hashMatches: false }, a4]);
    expect(findings.map((f) => [f.kind, f.stream_id, f.stream_version])).toEqual([
      ['removed', 'A', 2],
      ['altered', 'B', 2],
    ]);
  });

  describe('properties', () => {
    /** Several streams, interleaved at random while each keeps its order. */
    const interleaved = fc
      .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 })
      .chain((lengths) => {
        const streams = lengths.map((n, i) => stream(`S${i}`, n));
        const total = lengths.reduce((s, n) => s + n, 0);
        return fc
          .array(fc.nat(streams.length - 1), { minLength: total * 3, maxLength: total * 3 })
          .map((picks) => {
            const queues = streams.map((s) => [...s]);
            const order: ChainLink[] = [];
            for (const pick of picks) {
              const queue = queues[pick].length ? queues[pick] : queues.find((q) => q.length);
              if (queue) order.push(queue.shift()!);
            }
            for (const queue of queues) order.push(...queue);
            return order;
          });
      });

    it('finds nothing in a whole log', () => {
      fc.assert(fc.property(interleaved, (links) => check(links).findings.length === 0));
    });

    it('names any removed event that has a successor, and nothing else', () => {
      fc.assert(
        fc.property(interleaved, fc.nat(), (links, n) => {
          const removable = links.filter((l) =>
            links.some((o) => o.stream_id === l.stream_id && o.stream_version > l.stream_version),
          );
          fc.pre(removable.length > 0);
          const victim = removable[n % removable.length];
          const { findings } = check(links.filter((l) => l !== victim));
          expect(findings.map((f) => [f.kind, f.stream_id, f.stream_version])).toEqual([
            ['removed', victim.stream_id, victim.stream_version],
          ]);
        }),
      );
    });

    it('names any altered event, and nothing else', () => {
      fc.assert(
        fc.property(interleaved, fc.nat(), (links, n) => {
          const victim = links[n % links.length];
          const { findings } = check(links.map((l) => (l === victim ? { ...l, hashMatches: false } : l)));
          expect(findings.map((f) => [f.kind, f.event_id])).toEqual([['altered', victim.event_id]]);
        }),
      );
    });
  });
});
