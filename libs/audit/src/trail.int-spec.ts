import { CommandBus } from '@nestjs/cqrs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuthenticationModule } from '@libs/authentication';
import { CredentialsModule, IssueCredential, RevokeCredential } from '@libs/credentials';
import { DelegationModule } from '@libs/delegation';
import { EventStoreModule } from '@libs/event-store';
import { JwtModule } from '@libs/jwt';
import { JWT_BEARER_GRANT } from '@libs/tenants';
import { ClientsService, ManagementModule, UsersService } from '@libs/management';
import { createHttpTestApp, runCaptured, testBrokers, type HttpTestApp } from '@libs/testing';
import { UsageError } from './cli/audit-command';
import { TrailCommand } from './trail/trail.command';

const PASSWORD = 'correct horse battery staple';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Entry {
  time: string;
  log_code: string;
  related_log_code: string | null;
  event: string;
  credential_id: string | null;
  user_id: string | null;
  client_id: string | null;
  device_name: string | null;
  actor: string;
  details: Record<string, string>;
}

/**
 * `npm run audit -- trail` on a history built through the real endpoints (issue, delegate, refused
 * exchanges, revoke): each filter, each format, the time window, and usage errors.
 */
describe('audit trail (real PostgreSQL)', () => {
  let t: HttpTestApp;
  let command: TrailCommand;
  let appA: string;
  let appB: string;
  let ada: string;
  let bob: string;
  let middle: string;
  const cred: Record<'c1' | 'c2' | 'c3', string> = { c1: '', c2: '', c3: '' };

  const http = () => request(t.http.getHttpServer());
  const delegate = (clientId: string, refreshToken: string) =>
    http()
      .post('/delegation')
      .send({ client_id: clientId, grant_type: JWT_BEARER_GRANT, refresh_token: refreshToken });
  const refreshGrant = (clientId: string, refreshToken: string) =>
    http()
      .post('/oauth/token')
      .send({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken });

  const trail = (args: string[]) => runCaptured(command, args);
  const json = async (args: string[]) => {
    const { code, out } = await trail([...args, '--format', 'json']);
    expect(code).toBe(0);
    return JSON.parse(out) as Entry[];
  };
  /** `code@credential` per entry, for compact expectations. */
  const codes = (entries: Entry[]) =>
    entries.map((e) => {
      const name = Object.entries(cred).find(([, id]) => id === e.credential_id)?.[0] ?? '-';
      return `${e.log_code}${e.related_log_code ? `+${e.related_log_code}` : ''}@${name}`;
    });

  beforeAll(async () => {
    t = await createHttpTestApp([
      EventStoreModule.forRoot({ relay: false }),
      CredentialsModule,
      JwtModule,
      ManagementModule,
      AuthenticationModule,
      DelegationModule,
    ]);
    command = new TrailCommand(t.app.get(DataSource));
    const sql = t.app.get(DataSource);
    const clients = t.app.get(ClientsService);
    const create = async (name: string) =>
      (
        await clients.createClient({
          name,
          app_type: 'native',
          callbacks: [],
          grant_types: ['password', 'refresh_token', JWT_BEARER_GRANT],
        })
      ).client.clientId;
    appA = await create('App A');
    appB = await create('App B');
    const users = t.app.get(UsersService);
    const connection = 'Username-Password-Authentication';
    ada = (await users.createUser({ connection, email: 'ada@example.com', password: PASSWORD })).userId;
    bob = (await users.createUser({ connection, email: 'bob@example.com', password: PASSWORD })).userId;

    const passwordGrant = async (clientId: string) => {
      const res = await http().post('/oauth/token').send({
        grant_type: 'password',
        client_id: clientId,
        username: 'ada@example.com',
        password: PASSWORD,
        scope: 'openid offline_access',
        device: 'Pixel 9',
      });
      expect(res.status).toBe(200);
      const [{ stream_id }] = await sql.query(
        `SELECT stream_id FROM events WHERE type = 'TokenIssued' AND data ->> 'client_id' = $1 AND data ->> 'user_id' = $2`,
        [clientId, ada],
      );
      return { refreshToken: res.body.refresh_token as string, credentialId: stream_id as string };
    };
    const t1 = await passwordGrant(appA);
    const t2 = await passwordGrant(appB);
    const t3 = await t.app.get(CommandBus).execute(
      new IssueCredential(
        {
          userId: bob,
          clientId: appA,
          deviceName: 'iPad',
          scope: 'openid offline_access',
          grant: 'authorization_code',
        },
        { correlationId: 'test' },
      ),
    );
    [cred.c1, cred.c2, cred.c3] = [t1.credentialId, t2.credentialId, t3.credentialId];

    expect((await delegate(appA, t1.refreshToken)).status).toBe(200);
    expect((await refreshGrant(appA, t1.refreshToken)).status).toBe(200);
    expect((await delegate(appA, t3.refreshToken)).status).toBe(200);
    expect((await delegate(appB, t1.refreshToken)).status).toBe(403); // another client's token
    expect((await refreshGrant(appA, 'a-token-nobody-was-given')).status).toBe(403);

    await pause(25);
    middle = new Date().toISOString();
    await pause(25);

    const commands = t.app.get(CommandBus);
    await commands.execute(
      new RevokeCredential(t1.credentialId, 'management_api', `${appB}@clients`, 'test'),
    );
    expect((await delegate(appA, t1.refreshToken)).status).toBe(403); // revoked
    await commands.execute(
      new RevokeCredential(t3.credentialId, 'authorization_code_replay', 'system', 'test'),
    );
    expect((await refreshGrant(appB, t2.refreshToken)).status).toBe(200);
  }, 60_000);
  afterAll(() => t?.close());

  it('--credential: the whole life of one token, refused exchanges included, in order', async () => {
    const entries = await json(['--credential', cred.c1]);
    expect(codes(entries)).toEqual(['sepft@c1', 'sd@c1', 'sertft@c1', 'fd@c1', 'srrt+sapi@c1', 'fd@c1']);
    expect(entries.map((e) => e.time)).toEqual(entries.map((e) => e.time).sort());
    for (const entry of entries) {
      expect(entry).toMatchObject({ credential_id: cred.c1, user_id: ada, device_name: 'Pixel 9' });
    }
    expect(entries.map((e) => [e.event, e.actor, e.client_id])).toEqual([
      ['TokenIssued', ada, appA],
      ['IdTokenDelegated', appA, appA],
      ['IdTokenDelegated', appA, appA],
      ['DelegationFailed', appB, appB], // presented by the other client
      ['TokenRevoked', `${appB}@clients`, appA],
      ['DelegationFailed', appA, appA],
    ]);
    expect(entries[0].details).toEqual({ grant: 'password', scope: 'openid offline_access' });
    expect(entries[1].details).toMatchObject({ target: appA, api_type: 'app' });
    expect(entries[3].details).toMatchObject({ reason: 'wrong_client' });
    expect(entries[4].details).toEqual({ reason: 'management_api' });
    expect(entries[5].details).toMatchObject({ reason: 'revoked' });
  });

  it('--user: every credential of the user', async () => {
    expect(codes(await json(['--user', ada]))).toEqual([
      'sepft@c1',
      'sepft@c2',
      'sd@c1',
      'sertft@c1',
      'fd@c1',
      'srrt+sapi@c1',
      'fd@c1',
      'sertft@c2',
    ]);
  });

  it('--client: its credentials, and the refused exchanges it presented or that named its credentials', async () => {
    expect(codes(await json(['--client', appA]))).toEqual([
      'sepft@c1',
      'seacft@c3',
      'sd@c1',
      'sertft@c1',
      'sd@c3',
      'fd@c1',
      'fertft@-',
      'srrt+sapi@c1',
      'fd@c1',
      'srrt+feacft@c3',
    ]);
    expect(codes(await json(['--client', appB]))).toEqual(['sepft@c2', 'fd@c1', 'sertft@c2']);
  });

  it('--device: every credential of the device name', async () => {
    expect(codes(await json(['--device', 'iPad']))).toEqual(['seacft@c3', 'sd@c3', 'srrt+feacft@c3']);
    expect(codes(await json(['--device', 'no such device']))).toEqual([]);
  });

  it('--since and --until split the trail at an instant', async () => {
    const all = await json(['--client', appA]);
    const before = await json(['--client', appA, '--until', middle]);
    const after = await json(['--client', appA, '--since', middle]);
    expect(codes(after)).toEqual(['srrt+sapi@c1', 'fd@c1', 'srrt+feacft@c3']);
    expect([...before, ...after]).toEqual(all);
    expect(
      await json([
        '--client',
        appA,
        '--since',
        middle,
        '--until',
        new Date(Date.parse(middle) + 1).toISOString(),
      ]),
    ).toEqual([]);
  });

  it('table: a header and aligned columns', async () => {
    const { code, out, err } = await trail(['--credential', cred.c1]);
    expect(code).toBe(0);
    expect(err).toBe(`trail: 6 entries for credential ${cred.c1}\n`);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(7);
    expect(lines[0]).toMatch(
      /^TIME\s+CODE\s+EVENT\s+CREDENTIAL\s+USER\s+CLIENT\s+DEVICE\s+ACTOR\s+CORRELATION\s+DETAILS$/,
    );
    const at = lines[0].indexOf('DEVICE');
    for (const line of lines.slice(1)) expect(line.slice(at, at + 'Pixel 9'.length)).toBe('Pixel 9');
    expect(lines[5]).toContain('srrt+sapi');
    expect(lines[4]).toContain('reason=wrong_client');
  });

  it('csv: a header row and one quoted row per entry', async () => {
    const { code, out } = await trail(['--user', ada, '--format', 'csv']);
    expect(code).toBe(0);
    const rows = out.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe(
      'time,log_code,related_log_code,event,credential_id,user_id,client_id,device_name,actor,details,event_id,correlation_id,source,position',
    );
    expect(rows).toHaveLength(9);
    expect(rows[1]).toContain(
      `,sepft,,TokenIssued,${cred.c1},${ada},${appA},Pixel 9,${ada},"grant=password scope=""openid offline_access""",`,
    );
    expect(rows[1]).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z,/);
  });

  it.each([
    [[], /give one of/],
    [['--user', 'u', '--client', 'c'], /only one of/],
    [['--user', 'u', '--since', 'last tuesday'], /ISO 8601/],
  ])('refuses %j as a usage error', async (args, message) => {
    await expect(trail(args)).rejects.toThrow(UsageError);
    await expect(trail(args)).rejects.toThrow(message);
  });

  it('runs as the CLI: npm run audit -- trail … (exit 0; a usage error exits 64)', async () => {
    const env = {
      ...process.env,
      DATABASE_URL: t.db.url,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: t.config.kafka.topicPrefix,
    };
    const cli = [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      'apps/audit/src/main.ts',
    ];
    const { stdout } = await promisify(execFile)(
      'node',
      [...cli, 'trail', '--device', 'iPad', '--format', 'json'],
      {
        env,
      },
    );
    expect((JSON.parse(stdout) as Entry[]).map((e) => e.log_code)).toEqual(['seacft', 'sd', 'srrt']);
    const refused = await promisify(execFile)('node', [...cli, 'trail', '--user', ada, '--device', 'iPad'], {
      env,
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(64);
    expect(refused?.stderr).toContain('only one of');
    expect(refused?.stderr).toContain('usage: npm run audit -- trail');
  }, 120_000);
});
