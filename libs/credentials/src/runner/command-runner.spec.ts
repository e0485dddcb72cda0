import { ControlPlane } from '@libs/database';
import { ConcurrencyError, positionAfter } from '@libs/event-store';
import {
  credentialDecider,
  RefreshTokenRefused,
  type CredentialState,
  type DelegateIdToken,
  type IssueToken,
  type RevokeToken,
} from '@libs/domain';
import { InMemoryEventStore, tokenIssued, tokenRevoked } from '@libs/testing';
import { CommandRunner } from './command-runner';

const id = 'dcr_0123456789abcdef';
const now = new Date('2026-11-25T10:00:00.000Z');
const context = { correlationId: 'spec' };
const issue: IssueToken = {
  type: 'IssueToken',
  credentialId: id,
  userId: 'auth0|u1',
  clientId: 'app-1',
  deviceName: 'Pixel 9',
  scope: 'openid offline_access',
  tokenHash: `hash-${id}`,
  grant: 'password',
  now,
};
const revoke: RevokeToken = { type: 'RevokeToken', reason: 'management_api', actor: 'mgmt@clients', now };
const delegate: DelegateIdToken = {
  type: 'DelegateIdToken',
  presentedBy: 'app-1',
  target: 'app-1',
  apiType: 'app',
  idTokenJti: 'jti',
  expiresAt: now,
  via: 'delegation',
  scope: 'openid',
  now,
};

/** The command runner over the in-memory store: no PostgreSQL, no Kafka, milliseconds. */
describe('CommandRunner', () => {
  let store: InMemoryEventStore;
  let runner: CommandRunner;
  const run = (
    command: IssueToken | RevokeToken | DelegateIdToken,
    from?: Parameters<CommandRunner['handle']>[3]['from'],
  ) => runner.handle(credentialDecider, id, command, { context, from: from as never });

  beforeEach(() => {
    store = new InMemoryEventStore();
    runner = new CommandRunner(store);
  });

  it('decides on the stream as stored and appends the events, hash-chained, at the next versions', async () => {
    await run(issue);
    const { state, events } = await run(delegate);
    expect(state).toMatchObject({ status: 'active', clientId: 'app-1' });
    expect(events.map((e) => [e.type, e.stream_version])).toEqual([['IdTokenDelegated', 2]]);
    const [first, second] = await store.readStream(id);
    expect(second.previous_hash).toBe(first.hash);
  });

  it('reads again and decides again when another writer appended first (optimistic concurrency)', async () => {
    await run(issue);
    store.beforeAppend = async (streamId, expected) => {
      // Another process records a delegation at the version this command expects.
      await store.append(
        streamId,
        expected,
        [credentialDecider.decide(delegate, (await runner.load(credentialDecider, id)).state)[0]],
        context,
      );
    };
    const { events } = await run(revoke);
    expect(events.map((e) => e.stream_version)).toEqual([3]);
    expect(store.attempts.map((a) => [a.expectedVersion, a.committed])).toEqual([
      [0, true],
      [1, true],
      [1, false],
      [2, true],
    ]);
  });

  it('gives up with ConcurrencyError when every attempt loses the race', async () => {
    await run(issue);
    const competitor = credentialDecider.decide(delegate, (await runner.load(credentialDecider, id)).state);
    const append = store.append.bind(store);
    // Before each attempt of this command, another writer takes the version it expects.
    store.append = async (streamId, expected, events, ctx) => {
      await append(streamId, positionAfter(await store.readStream(streamId)), competitor, ctx);
      return append(streamId, expected, events, ctx);
    };
    await expect(run(revoke)).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('runs the commands of one stream in the order they were given, without racing for versions', async () => {
    const results = await Promise.all([
      run(issue),
      run(delegate),
      run(delegate),
      run(revoke),
      run(delegate).catch((e: unknown) => e),
    ]);
    expect((await store.readStream(id)).map((e) => e.type)).toEqual([
      'TokenIssued',
      'IdTokenDelegated',
      'IdTokenDelegated',
      'TokenRevoked',
    ]);
    expect(results[4]).toBeInstanceOf(RefreshTokenRefused);
    expect(store.attempts.every((a) => a.committed)).toBe(true);
  });

  it('runs a control-plane revocation at once, not behind a delegation stuck on the same stream, and that delegation is refused', async () => {
    await run(issue);
    let release!: () => void;
    store.beforeAppend = () => new Promise<void>((resolve) => (release = resolve)); // the delegation's append hangs
    const delegation = run(delegate).catch((e: unknown) => e);
    const queued = run(delegate).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    expect(release).toBeDefined();
    // Without the control plane the revocation would wait in the stream's queue until the delegations end.
    const revocation = ControlPlane.run(() => run(revoke));
    const first = await Promise.race([revocation, new Promise((r) => setTimeout(() => r('waited'), 1_000))]);
    expect(first).toMatchObject({ events: [{ type: 'TokenRevoked', stream_version: 2 }] });
    release();
    // The delegation decided before the revocation loses its race for version 2, reads it, and is refused.
    expect(await delegation).toBeInstanceOf(RefreshTokenRefused);
    expect(await queued).toBeInstanceOf(RefreshTokenRefused);
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['TokenIssued', 'TokenRevoked']);
  });

  it('reads on from a stale snapshot, so a revocation the snapshot has not seen refuses the exchange', async () => {
    await store.append(id, { version: 0, hash: null }, [tokenIssued(id)], context);
    const [issued] = await store.readStream(id);
    await store.append(id, { version: 1, hash: issued.hash }, [tokenRevoked(id)], context);
    const snapshot = { state: activeState(), version: 1 };
    await expect(run(delegate, snapshot)).rejects.toMatchObject({
      reason: 'revoked',
      code: 'invalid_refresh_token',
    });
    expect(store.attempts).toHaveLength(2); // the two appends above: the refused exchange wrote nothing
  });

  it('refuses an exchange when a revocation lands between resolving the token and recording the exchange', async () => {
    await run(issue);
    const resolved = await runner.load(credentialDecider, id);
    expect(resolved.state.status).toBe('active');
    await run(revoke);
    await expect(run(delegate, resolved)).rejects.toMatchObject({ reason: 'revoked' });
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['TokenIssued', 'TokenRevoked']);
  });

  it('issue 19 finding 1: after a conflict it reads on from the state it had, never from version 1 again', async () => {
    await run(issue);
    for (let i = 0; i < 3; i++) await run(delegate);
    const loaded = await runner.load(credentialDecider, id); // version 4
    await run(delegate); // another writer takes version 5: the next attempt conflicts
    const reads: number[] = [];
    const readStream = store.readStream.bind(store);
    store.readStream = (streamId, afterVersion = 0) => (
      reads.push(afterVersion),
      readStream(streamId, afterVersion)
    );
    const { events } = await run(delegate, loaded);
    expect(events.map((e) => e.stream_version)).toEqual([6]);
    // One read, from the version the conflicting attempt had decided on (inclusive, for its hash).
    expect(reads).toEqual([3]);
  });

  it('folds a snapshot with the tail from its version on, and ignores a tail that does not start there', async () => {
    await run(issue);
    await run(revoke);
    const tail = await store.readStream(id);
    const snapshot = { state: activeState(), version: 1 };
    expect(runner.fromTail(credentialDecider, snapshot, tail)).toEqual({
      state: { ...activeState(), status: 'revoked' },
      position: { version: 2, hash: tail[1].hash },
    });
    expect(runner.fromTail(credentialDecider, snapshot, tail.slice(1))).toBeUndefined();
  });
});

function activeState(): CredentialState {
  return {
    status: 'active',
    credentialId: id,
    userId: 'auth0|u1',
    clientId: 'app-1',
    deviceName: 'Pixel 9',
    scope: 'openid offline_access',
    terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: null },
    jkt: null,
    issuedAt: '2026-11-25T10:00:00.000Z',
    lastUsedAt: '2026-11-25T10:00:00.000Z',
    token: `hash-${id}`,
    previous: null,
    retries: 0,
  };
}
