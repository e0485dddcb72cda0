import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { BACKFILL_PREVIOUS_TOKEN } from '@libs/database';
import { refusalOf, type TokenRotated } from '@libs/domain';
import { EventStore, EventStoreModule } from '@libs/event-store';
import { JwtModule } from '@libs/jwt';
import { DeviceCredentialProjection } from '@libs/projections';
import { SecretKeys } from '@libs/security';
import { createTestStack, tokenIssued, type TestStack } from '@libs/testing';
import { CredentialLookup } from './credential-lookup';
import { CredentialResolver } from './credential-resolver';
import { CredentialsModule } from './credentials.module';
import { IssueCredential } from './issue-credential/issue-credential.command';
import { RevokeCredential } from './revoke-credential/revoke-credential.command';

/**
 * The read side of the write path: a refresh token is found in the device-credential view together
 * with the events the view has not applied (one statement), or in the event store before it is projected.
 */
describe('CredentialLookup and CredentialResolver (real PostgreSQL)', () => {
  let stack: TestStack;
  let commands: CommandBus;
  let lookup: CredentialLookup;
  let resolver: CredentialResolver;

  beforeAll(async () => {
    stack = await createTestStack([EventStoreModule.forRoot({ relay: false }), JwtModule, CredentialsModule]);
    commands = stack.app.get(CommandBus);
    lookup = stack.app.get(CredentialLookup);
    resolver = stack.app.get(CredentialResolver);
  });
  afterAll(() => stack?.close());

  const project = async (streamId: string) => {
    const events = await stack.app.get(EventStore).readStream(streamId);
    await stack.app.get(DataSource).transaction(async (tx) => {
      await new DeviceCredentialProjection().apply(tx, events);
      // The chain head the projector keeps beside the view: the look-up trusts a row only with it.
      const last = events[events.length - 1];
      await tx.query(
        `INSERT INTO projection_streams (projection, stream_id, version, last_hash)
         VALUES ('device-credentials', $1, $2, $3)`,
        [streamId, last.stream_version, last.hash],
      );
    });
  };

  it('finds a token not projected yet in the event store, then in the view with the newer events', async () => {
    const { refreshToken, credentialId } = await commands.execute(
      new IssueCredential(
        { userId: 'auth0|u1', clientId: 'app-1', deviceName: 'Pixel', scope: 'openid', grant: 'password' },
        { correlationId: 'it' },
      ),
    );
    const tokenHash = stack.app.get(SecretKeys).refreshTokenHash(refreshToken);
    await expect(lookup.byTokenHash(tokenHash)).resolves.toEqual({ credentialId });
    expect((await resolver.byRefreshToken(refreshToken))?.state).toMatchObject({
      status: 'active',
      credentialId,
    });

    await project(credentialId);
    await commands.execute(new RevokeCredential(credentialId, 'management_api', 'it', 'it'));
    const found = await lookup.byTokenHash(tokenHash);
    expect(found?.snapshot).toMatchObject({ version: 1, state: { status: 'active' } });
    expect(found?.tail?.map((e) => e.type)).toEqual(['TokenIssued', 'TokenRevoked']);
    // The revocation the view has not applied still refuses the token.
    const stream = await resolver.byRefreshToken(refreshToken);
    expect(stream?.position.version).toBe(2);
    expect(refusalOf(stream!.state, 'app-1')).toBe('revoked');
  });

  it('reads the credential’s user in the same statement: as it is now, null once deleted', async () => {
    const sql = stack.app.get(DataSource);
    await sql.query(
      `INSERT INTO users (user_id, email, name, nickname, password_hash, last_login)
       VALUES ('auth0|owner', 'owner@example.com', 'Owner', 'owner', 'x', '2026-12-01T10:00:00Z')`,
    );
    const { refreshToken, credentialId } = await commands.execute(
      new IssueCredential(
        { userId: 'auth0|owner', clientId: 'app-1', deviceName: 'Pixel', scope: 'openid', grant: 'password' },
        { correlationId: 'it' },
      ),
    );
    await project(credentialId);
    const owner = (await resolver.byRefreshToken(refreshToken))?.owner;
    expect(owner).toMatchObject({ userId: 'auth0|owner', email: 'owner@example.com', blocked: false });
    expect(owner?.lastLogin).toEqual(new Date('2026-12-01T10:00:00Z'));
    expect(owner?.createdAt).toBeInstanceOf(Date);

    await sql.query(`UPDATE users SET blocked = true WHERE user_id = 'auth0|owner'`);
    expect((await resolver.byRefreshToken(refreshToken))?.owner?.blocked).toBe(true);
    await sql.query(`DELETE FROM users WHERE user_id = 'auth0|owner'`);
    expect((await resolver.byRefreshToken(refreshToken))?.owner).toBeNull();
  });

  it('issue 19 finding 1: an older token of a rotating family is answered by the index, decided on the view row', async () => {
    const id = 'dcr_19190000000000000000000000000001';
    const store = stack.app.get(EventStore);
    const at = (s: number) => new Date(Date.parse('2026-12-01T10:00:00Z') + s * 1000).toISOString();
    const terms = { rotating: true, leeway: 30, expires_at: null, idle_lifetime: 86_400 };
    const who = { credential_id: id, user_id: 'auth0|u1', client_id: 'app-1' };
    const rotated = (i: number): TokenRotated => ({
      type: 'TokenRotated',
      data: { ...who, previous_token_hash: `f1-h${i - 1}`, token_hash: `f1-h${i}`, rotated_at: at(i) },
    });
    await store.append(
      id,
      { version: 0, hash: null },
      [tokenIssued(id, { token_hash: 'f1-h0', issued_at: at(0), terms }), rotated(1), rotated(2), rotated(3)],
      { correlationId: 'it' },
    );
    await project(id);
    const reads = jest.spyOn(store, 'readStream');

    // h1 was retired by the next rotation (h1 → h2), whatever the family's length.
    const older = await lookup.byTokenHash('f1-h1');
    expect(older).toMatchObject({ credentialId: id, retiredAt: at(2), snapshot: { version: 4 } });
    expect(older?.snapshot?.state).toMatchObject({
      token: 'f1-h3',
      previous: { hash: 'f1-h2', retiredAt: at(3) },
      retries: 0,
    });
    expect(older?.tail).toHaveLength(1); // the view's own version only: nothing folded from version 1
    expect(reads).not.toHaveBeenCalled();
    const presented = { tokenHash: 'f1-h1', retiredAt: older!.retiredAt, now: new Date(at(4)) };
    expect(refusalOf(older!.snapshot!.state, 'app-1', undefined, presented)).toBe('reused');
    // The previous token is the view's own: a retry within the leeway.
    const previous = await lookup.byTokenHash('f1-h2');
    expect(previous?.retiredAt).toBe(at(3));
    expect(
      refusalOf(previous!.snapshot!.state, 'app-1', undefined, { tokenHash: 'f1-h2', now: new Date(at(4)) }),
    ).toBeNull();
    // The current one: no retirement.
    expect((await lookup.byTokenHash('f1-h3'))?.retiredAt).toBeUndefined();
    reads.mockRestore();
  });

  it('issue 19 finding 5: a token the lagging view still names current, rotated twice since, is a reuse', async () => {
    const id = 'dcr_19190000000000000000000000000003';
    const store = stack.app.get(EventStore);
    const at = (s: number) => new Date(Date.parse('2026-12-01T10:00:00Z') + s * 1000).toISOString();
    const terms = { rotating: true, leeway: 60, expires_at: null, idle_lifetime: 86_400 };
    const who = { credential_id: id, user_id: 'auth0|u1', client_id: 'app-1' };
    const rotated = (i: number): TokenRotated => ({
      type: 'TokenRotated',
      data: { ...who, previous_token_hash: `f3-h${i - 1}`, token_hash: `f3-h${i}`, rotated_at: at(i) },
    });
    const issued = await store.append(
      id,
      { version: 0, hash: null },
      [tokenIssued(id, { token_hash: 'f3-h0', issued_at: at(0), terms })],
      { correlationId: 'it' },
    );
    await project(id); // the view: h0 current
    await store.append(id, { version: 1, hash: issued[0].hash }, [rotated(1), rotated(2)], {
      correlationId: 'it',
    });
    // Not projected yet: the row still says h0, the tail says h0 → h1 → h2.
    const found = await lookup.byTokenHash('f3-h0');
    expect(found).toMatchObject({ credentialId: id, retiredAt: at(1), snapshot: { version: 1 } });
    // Decided on the view row and its tail: the second-to-last token, within the leeway, is a reuse.
    const folded = (await resolver.byId(id)).state;
    expect(folded).toMatchObject({ token: 'f3-h2', previous: { hash: 'f3-h1' } });
    const presented = { tokenHash: 'f3-h0', retiredAt: found!.retiredAt, now: new Date(at(3)) };
    expect(refusalOf(folded, 'app-1', undefined, presented)).toBe('reused');
    // h1, the previous token, is a retry within the leeway; h2 is current.
    expect((await lookup.byTokenHash('f3-h1'))?.retiredAt).toBe(at(2));
    expect((await lookup.byTokenHash('f3-h2'))?.retiredAt).toBeUndefined();
  });

  it('issue 19 finding 1: the migration fills the view rows of rotated families as the projection folds them', async () => {
    const id = 'dcr_19190000000000000000000000000002';
    const at = (s: number) => new Date(Date.parse('2026-12-01T11:00:00Z') + s * 1000).toISOString();
    const terms = { rotating: true, leeway: 30, expires_at: null, idle_lifetime: 86_400 };
    const who = { credential_id: id, user_id: 'auth0|u1', client_id: 'app-1' };
    const rotated = (from: string, to: string, s: number): TokenRotated => ({
      type: 'TokenRotated',
      data: { ...who, previous_token_hash: from, token_hash: to, rotated_at: at(s) },
    });
    // A rotation, then the new token's rotation retried twice within the leeway.
    const events = [
      tokenIssued(id, { token_hash: 'f2-h0', issued_at: at(0), terms }),
      rotated('f2-h0', 'f2-h1', 1),
      rotated('f2-h1', 'f2-h2', 2),
      rotated('f2-h1', 'f2-h2b', 3),
      rotated('f2-h1', 'f2-h2c', 4),
    ];
    await stack.app.get(EventStore).append(id, { version: 0, hash: null }, events, { correlationId: 'it' });
    await project(id);
    const sql = stack.app.get(DataSource);
    const columns = () =>
      sql.query(
        `SELECT id, previous_token_hash, previous_retired_at, retry_count FROM device_credentials
          WHERE rotation_count > 0 ORDER BY id`,
      );
    const projected = await columns();
    expect(projected.find((r: { id: string }) => r.id === id)).toEqual({
      id,
      previous_token_hash: 'f2-h1',
      previous_retired_at: new Date(at(2)),
      retry_count: 2,
    });
    await sql.query(
      `UPDATE device_credentials SET previous_token_hash = NULL, previous_retired_at = NULL, retry_count = 0`,
    );
    await sql.query(BACKFILL_PREVIOUS_TOKEN);
    expect(await columns()).toEqual(projected);
  });

  it('finds nothing for a token this service never issued', async () => {
    await expect(lookup.byTokenHash('nope')).resolves.toBeNull();
    await expect(resolver.byRefreshToken('not-a-token')).resolves.toBeNull();
  });
});
