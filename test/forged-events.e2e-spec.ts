import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@libs/domain';
import { encodeEnvelope, envelopeFromRow, EVENT_COLUMNS, eventHash, EventHasher } from '@libs/event-store';
import { eventTopic } from '@libs/messaging';
import { jwtPayload } from '../chaos/lib/jwt-payload';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const PASSWORD = 'correct horse battery staple';

/**
 * The topic is not trusted blindly. Someone who can write to the topic (not to the database, and
 * without the audit key) produces valid JSON envelopes chained onto real streams: one gives a token to
 * another user, one un-revokes a revoked token. The projector refuses both, marks the two streams
 * broken and counts them; the view does not change; the hot path answers those credentials from the
 * store (the right user, still revoked); other streams go on being projected.
 */
describe('forged events on the topic change nothing (e2e)', () => {
  let system: RunningSystem;
  let tenant: TenantClient;
  let db: DataSource;
  let clientId: string;
  let ada: { user_id: string; email: string };
  let mallory: { user_id: string; email: string };
  const tokens: Record<'kept' | 'revoked', { token: string; id: string }> = {} as never;

  const issue = async (email: string, device: string) => {
    const res = await tenant.form('/oauth/token', {
      grant_type: 'password',
      client_id: clientId,
      username: email,
      password: PASSWORD,
      scope: 'openid offline_access',
      device,
    });
    expect(res.status).toBe(200);
    return res.body.refresh_token as string;
  };
  const delegate = (refreshToken: string) =>
    tenant.json('POST', '/delegation', {
      client_id: clientId,
      grant_type: JWT_BEARER,
      refresh_token: refreshToken,
    });
  const viewRow = async (id: string) =>
    (await db.query('SELECT user_id, status, version FROM device_credentials WHERE id = $1', [id]))[0];
  const head = async (id: string) =>
    (
      await db.query(
        `SELECT * FROM projection_streams WHERE projection = 'device-credentials' AND stream_id = $1`,
        [id],
      )
    )[0];
  const stream = async (id: string): Promise<EventEnvelope[]> =>
    (
      await db.query(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`, [id])
    ).map(envelopeFromRow);
  const credentialOf = async (device: string) =>
    (
      await db.query('SELECT stream_id FROM events WHERE type = $1 AND data ->> $2 = $3', [
        'TokenIssued',
        'device_name',
        device,
      ])
    )[0].stream_id as string;

  beforeAll(async () => {
    system = await startSystem();
    db = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
    tenant = new TenantClient(system.url);
    clientId = (
      await tenant.createClient({
        name: 'Forgery target',
        app_type: 'native',
        callbacks: ['com.example.forgery://callback'],
        grant_types: ['refresh_token', JWT_BEARER, 'password'],
      })
    ).client_id;
    ada = await tenant.createUser(`ada-${randomUUID().slice(0, 8)}@example.com`, PASSWORD);
    mallory = await tenant.createUser(`mallory-${randomUUID().slice(0, 8)}@example.com`, PASSWORD);
    for (const name of ['kept', 'revoked'] as const) {
      const device = `${name}-${randomUUID().slice(0, 8)}`;
      const token = await issue(ada.email, device);
      tokens[name] = { token, id: await credentialOf(device) };
    }
    expect(
      (await tenant.form('/oauth/revoke', { client_id: clientId, token: tokens.revoked.token })).status,
    ).toBe(200);
    await eventually(async () => (await viewRow(tokens.revoked.id))?.status === 'revoked', 30_000);
    await eventually(async () => (await viewRow(tokens.kept.id)) !== undefined, 30_000);
  }, 180_000);

  afterAll(async () => {
    await db?.destroy();
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 60_000);

  it('refuses the forgeries, marks the streams broken, keeps the view, and the hot path answers from the store', async () => {
    // A TokenIssued folds to a fresh active row: on the kept stream with Mallory as user (keyed form,
    // under a key of the forger's own), on the revoked stream to un-revoke it (the unkeyed 0.1.0 form).
    const forge = (after: EventEnvelope, data: object, hasher?: EventHasher): EventEnvelope => {
      const unsigned = {
        event_id: randomUUID(),
        type: 'TokenIssued' as const,
        schema_version: 1,
        stream_id: after.stream_id,
        stream_version: after.stream_version + 1,
        occurred_at: new Date().toISOString(),
        correlation_id: 'forged',
        causation_id: null,
        previous_hash: after.hash,
        data: data as never,
      };
      return { ...unsigned, hash: hasher ? hasher.hash(unsigned) : eventHash(unsigned) } as EventEnvelope;
    };
    const kept = await stream(tokens.kept.id);
    const revoked = await stream(tokens.revoked.id);
    const issuedData = (events: EventEnvelope[]) => events[0].data as Record<string, unknown>;
    const forgeries = [
      forge(
        kept.at(-1)!,
        { ...issuedData(kept), user_id: mallory.user_id },
        new EventHasher(randomBytes(32)),
      ),
      forge(revoked.at(-1)!, issuedData(revoked)),
    ];
    const viewBefore = [await viewRow(tokens.kept.id), await viewRow(tokens.revoked.id)];
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({
      topic: eventTopic(system.topicPrefix),
      messages: forgeries.map((e) => encodeEnvelope(e)),
    });
    await producer.disconnect();

    await eventually(
      async () => (await head(tokens.kept.id))?.broken_at && (await head(tokens.revoked.id))?.broken_at,
      30_000,
    );
    for (const [i, id] of [tokens.kept.id, tokens.revoked.id].entries()) {
      const h = await head(id);
      expect(h.broken_reason).toMatch(/^hash_mismatch/);
      expect(h.broken_event_id).toBe(forgeries[i].event_id);
      expect(await viewRow(id)).toEqual(viewBefore[i]);
    }

    // The hot path: Ada's token is still Ada's, the revoked one still revoked.
    const keptAnswer = await delegate(tokens.kept.token);
    expect(keptAnswer.status).toBe(200);
    expect(jwtPayload(keptAnswer.body.id_token).sub).toBe(ada.user_id);
    const revokedAnswer = await delegate(tokens.revoked.token);
    expect(revokedAnswer.status).toBe(403);
    expect(revokedAnswer.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Unknown or invalid refresh token.',
    });

    // The metric counts the refusals; a genuine event of a broken stream is not applied either.
    const metrics = async () =>
      await (await fetch(`http://127.0.0.1:${system.env.PROJECTOR_METRICS_PORT}/metrics`)).text();
    let text = '';
    const counted = /projector_refused_events_total\{reason="stream_broken",service="projector"\} [1-9]/;
    await eventually(async () => counted.test((text = await metrics())), 30_000).catch(() => undefined);
    expect(text).toMatch(counted);
    expect(text).toMatch(/projector_refused_events_total\{reason="hash_mismatch",service="projector"\} 2/);
    expect((await viewRow(tokens.kept.id)).version).toBe(viewBefore[0].version);
  }, 120_000);

  it('goes on projecting the other streams', async () => {
    const device = `after-${randomUUID().slice(0, 8)}`;
    await issue(ada.email, device);
    const id = await credentialOf(device);
    await eventually(async () => (await viewRow(id))?.status === 'active', 30_000);
    expect((await head(id)).broken_at).toBeNull();
  }, 60_000);
});
