import type { DeviceCredentialRow } from '@libs/projections';
import { RowCache } from './row-cache';

const row = (id: string, version = 1) => ({ id, version }) as DeviceCredentialRow;

describe('RowCache', () => {
  it('returns the latest row set for an id', () => {
    const cache = new RowCache(100);
    cache.set('a', row('a', 1));
    cache.set('a', row('a', 2));
    expect(cache.get('a')).toEqual(row('a', 2));
    expect(cache.get('b')).toBeUndefined();
  });

  it('holds between half its capacity and its capacity of the most recently used rows', () => {
    const cache = new RowCache(100);
    const ids = Array.from({ length: 1_000 }, (_, i) => `dcr_${i}`);
    for (const id of ids) cache.set(id, row(id));
    const kept = ids.filter((id) => cache.get(id) !== undefined);
    expect(kept.length).toBeLessThanOrEqual(100);
    expect(kept).toEqual(expect.arrayContaining(ids.slice(-50)));
  });

  it('keeps a row that is used again and drops those that are not', () => {
    const cache = new RowCache(6);
    for (const id of ['a', 'b', 'c', 'd']) cache.set(id, row(id));
    expect(cache.get('a')).toBeDefined();
    cache.set('e', row('e'));
    expect(['a', 'b', 'c', 'd', 'e'].filter((id) => cache.get(id) !== undefined)).toEqual(['a', 'd', 'e']);
  });
});
