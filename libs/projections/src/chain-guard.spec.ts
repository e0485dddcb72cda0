import type { StoredEnvelope } from '@libs/domain';
import { checkLink, type StreamHead } from './chain-guard';

const KEYED = (n: number) => `hmac-sha256:${String(n).repeat(64).slice(0, 64)}`;
const event = (version: number, previous: string | null, hash: string) =>
  ({ stream_id: 'dcr_x', stream_version: version, previous_hash: previous, hash }) as StoredEnvelope;
const head = (version: number, lastHash: string, broken = false): StreamHead => ({
  version,
  lastHash,
  broken,
});

describe('checkLink: the projector applies an event only where it extends the chain', () => {
  it('applies the next version linked to the last applied hash, and a first event without a previous hash', () => {
    expect(checkLink(head(1, KEYED(1)), event(2, KEYED(1), KEYED(2)), true)).toEqual({ action: 'apply' });
    expect(checkLink(undefined, event(1, null, KEYED(1)), true)).toEqual({ action: 'apply' });
  });

  it('ignores a redelivery, but breaks on a second, different event for the applied version', () => {
    expect(checkLink(head(2, KEYED(2)), event(2, KEYED(1), KEYED(2)), true)).toEqual({ action: 'duplicate' });
    expect(checkLink(head(2, KEYED(2)), event(1, null, KEYED(1)), true)).toEqual({ action: 'duplicate' });
    expect(checkLink(head(2, KEYED(2)), event(2, KEYED(1), KEYED(3)), true)).toMatchObject({
      action: 'break',
      reason: 'conflicting_version',
    });
  });

  it.each([
    [
      'a hash that does not recompute',
      head(1, KEYED(1)),
      event(2, KEYED(1), KEYED(2)),
      false,
      'hash_mismatch',
    ],
    ['a gap', head(1, KEYED(1)), event(3, KEYED(2), KEYED(3)), true, 'version_gap'],
    ['a first event at version 2', undefined, event(2, KEYED(1), KEYED(2)), true, 'version_gap'],
    ['a broken link', head(1, KEYED(1)), event(2, KEYED(9), KEYED(2)), true, 'previous_hash_mismatch'],
    [
      'an unkeyed hash after a keyed one',
      head(1, KEYED(1)),
      event(2, KEYED(1), 'a'.repeat(64)),
      true,
      'unkeyed_after_keyed',
    ],
  ])('breaks on %s', (_case, h, e, verified, reason) => {
    expect(checkLink(h, e, verified)).toMatchObject({ action: 'break', reason });
  });

  it('continues an unkeyed stream of release 0.1.0 with keyed events', () => {
    const legacy = 'b'.repeat(64);
    expect(checkLink(head(3, legacy), event(4, legacy, KEYED(4)), true)).toEqual({ action: 'apply' });
  });

  it('stops a broken stream: nothing more of it is applied', () => {
    expect(checkLink(head(1, KEYED(1), true), event(2, KEYED(1), KEYED(2)), true)).toEqual({
      action: 'stopped',
    });
  });
});
