import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { refusalOf } from '@libs/domain';
import { EventStore, EventStoreModule } from '@libs/event-store';
import { JwtModule } from '@libs/jwt';
import { DeviceCredentialProjection } from '@libs/projections';
import { SecretKeys } from '@libs/security';
import { createTestStack, type TestStack } from '@libs/testing';
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

  it('finds nothing for a token this service never issued', async () => {
    await expect(lookup.byTokenHash('nope')).resolves.toBeNull();
    await expect(resolver.byRefreshToken('not-a-token')).resolves.toBeNull();
  });
});
