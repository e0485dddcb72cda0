import { randomBytes } from 'node:crypto';
import { loadConfig } from '@libs/config';
import type { StoredEnvelope } from '@libs/domain';
import written from '../../domain/src/upcasting/fixtures/release-0.1.0.events.json';
import { eventHash, EventHasher, hashAlgorithm } from './event-hash';

const release010 = written as StoredEnvelope[];
const unsigned = (({ hash: _hash, ...rest }) => rest)(release010[0]);

describe('the keyed hash chain', () => {
  const hasher = EventHasher.fromConfig(loadConfig({}));

  it('writes HMAC-SHA-256 under the audit key, marked by its prefix, and verifies it', () => {
    const hash = hasher.hash(unsigned);
    expect(hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(hashAlgorithm(hash)).toBe('hmac-sha256');
    expect(hasher.verify({ ...unsigned, hash } as StoredEnvelope)).toBe(true);
  });

  it('refuses a keyed hash made under another key, or over other content', () => {
    const forged = new EventHasher(randomBytes(32)).hash(unsigned);
    expect(hasher.verify({ ...unsigned, hash: forged } as StoredEnvelope)).toBe(false);
    const hash = hasher.hash(unsigned);
    expect(hasher.verify({ ...unsigned, correlation_id: 'other', hash } as StoredEnvelope)).toBe(false);
    expect(hasher.verify({ ...unsigned, hash: `hmac-sha256:${'0'.repeat(63)}` } as StoredEnvelope)).toBe(
      false,
    );
    expect(hasher.verify({ ...unsigned, hash: 'md5:abc' } as StoredEnvelope)).toBe(false);
  });

  it('derives its key from AUDIT_KEY when set, else from SERVER_SECRET, never equal to the other', () => {
    const own = EventHasher.fromConfig(loadConfig({ AUDIT_KEY: 'an-audit-key-of-at-least-32-characters!' }));
    expect(own.hash(unsigned)).not.toBe(hasher.hash(unsigned));
    expect(() => loadConfig({ AUDIT_KEY: 'short' })).toThrow(/AUDIT_KEY=\[redacted\]/);
  });

  it("still verifies every event release 0.1.0 wrote, by the unkeyed SHA-256 its hash's form names", () => {
    for (const event of release010) {
      expect(hashAlgorithm(event.hash)).toBe('sha256');
      expect(hasher.verify(event)).toBe(true);
      const { hash, ...covered } = event;
      expect(eventHash(covered)).toBe(hash);
    }
  });
});
