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

  it('without AUDIT_KEY, verifies what a previous SERVER_SECRET hashed once it is in SERVER_SECRETS_PREVIOUS, hashing under the new', () => {
    const old = loadConfig({ SERVER_SECRET: 'the-old-server-secret-of-at-least-32-chars' });
    const hashedBefore = { ...unsigned, hash: EventHasher.fromConfig(old).hash(unsigned) } as StoredEnvelope;
    const next = 'the-new-server-secret-of-at-least-32-chars';
    const rotated = EventHasher.fromConfig(
      loadConfig({ SERVER_SECRET: next, SERVER_SECRETS_PREVIOUS: old.serverSecret }),
    );
    const withoutPrevious = EventHasher.fromConfig(loadConfig({ SERVER_SECRET: next }));
    expect(rotated.verify(hashedBefore)).toBe(true);
    expect(withoutPrevious.verify(hashedBefore)).toBe(false);
    expect(rotated.hash(unsigned)).toBe(withoutPrevious.hash(unsigned));
    expect(rotated.hash(unsigned)).not.toBe(hashedBefore.hash);
    // With AUDIT_KEY the chain's key does not follow SERVER_SECRET: the previous secrets play no part.
    const audited = (env: Record<string, string>) =>
      EventHasher.fromConfig(loadConfig({ AUDIT_KEY: 'an-audit-key-of-at-least-32-characters!', ...env }));
    const auditedBefore = { ...unsigned, hash: audited({}).hash(unsigned) } as StoredEnvelope;
    expect(audited({ SERVER_SECRET: next }).verify(auditedBefore)).toBe(true);
    expect(
      audited({ SERVER_SECRET: next, SERVER_SECRETS_PREVIOUS: old.serverSecret }).verify(hashedBefore),
    ).toBe(false);
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
