import { Overloaded } from '@libs/database';
import { hashSecret } from '@libs/security';
import { PasswordHashing } from './password-hashing';

describe('PasswordHashing (issue 19 finding 2)', () => {
  it('checks passwords one at a time with a queue of 2: the next check is refused at once with Overloaded', async () => {
    const passwords = new PasswordHashing({ concurrency: 1, queue: 2, retryAfterSeconds: 3 });
    const stored = await hashSecret('correct horse battery staple');
    const checks = Array.from({ length: 5 }, () =>
      passwords.verify('wrong', stored).then(
        (ok) => ({ ok }),
        (error: unknown) => ({ error }),
      ),
    );
    const outcomes = await Promise.all(checks);
    expect(outcomes.filter((o) => 'ok' in o)).toHaveLength(3);
    const refused = outcomes.filter((o): o is { error: unknown } => 'error' in o);
    expect(refused).toHaveLength(2);
    for (const { error } of refused) {
      expect(error).toBeInstanceOf(Overloaded);
      expect(error).toMatchObject({ reason: 'queue_full', retryAfterSeconds: 3 });
    }
    await expect(passwords.verify('correct horse battery staple', stored)).resolves.toBe(true);
  });

  it('never refuses hashing a new password: it waits its turn', async () => {
    const passwords = new PasswordHashing({ concurrency: 1, queue: 0, retryAfterSeconds: 1 });
    const hashes = await Promise.all(Array.from({ length: 3 }, (_, i) => passwords.hash(`password ${i}`)));
    expect(hashes.every((h) => h.startsWith('scrypt$'))).toBe(true);
  });
});
