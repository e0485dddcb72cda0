import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { DataSource } from 'typeorm';
import { SCHEMA_VERSIONS, type CredentialEventType } from '@libs/domain';
import { loadConfig } from '@libs/config';
import { EventHasher, hashAlgorithm } from '@libs/event-store';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';
import { explain, loadEventContract, type Json } from './asyncapi-contract';
import { JWT_BEARER } from './fixtures/oauth';

interface Published {
  key: string | null;
  headers: Record<string, string>;
  value: Json;
  timestamp: string;
  partition: number;
}

const strings = (headers: IHeaders | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

/**
 * Every event the running system publishes, read back from the topic by a consumer of our own, must be
 * exactly what docs/asyncapi.yaml says: headers, key and value against the message of its type and
 * schema version. A field added, removed or renamed in code without the document fails here.
 */
describe('the published events follow docs/asyncapi.yaml (e2e)', () => {
  const contract = loadEventContract();
  let system: RunningSystem;
  let tenant: TenantClient;
  let published: Published[];
  let stored: number;

  beforeAll(async () => {
    system = await startSystem();
    tenant = new TenantClient(system.url);
    const app = await tenant.createClient({
      name: 'Contract app',
      app_type: 'native',
      callbacks: ['com.example.contract://callback'],
      grant_types: ['refresh_token', JWT_BEARER, 'password'],
    });
    const other = await tenant.createClient({
      name: 'Contract target',
      app_type: 'native',
      callbacks: ['com.example.target://callback'],
      grant_types: ['refresh_token', JWT_BEARER, 'password'],
      allowed_clients: [app.client_id],
    });
    // Issue 13: a rotating family (rotated, then reused after its leeway) and an expiring token.
    const policy = {
      rotation_type: 'rotating',
      expiration_type: 'expiring',
      leeway: 0,
      token_lifetime: 86_400,
      infinite_token_lifetime: false,
      idle_token_lifetime: 3_600,
      infinite_idle_token_lifetime: false,
    };
    const rotating = await tenant.createClient({
      name: 'Contract rotating',
      app_type: 'native',
      callbacks: ['com.example.rotating://callback'],
      grant_types: ['refresh_token', 'password'],
      refresh_token: policy,
    });
    const expiring = await tenant.createClient({
      name: 'Contract expiring',
      app_type: 'native',
      callbacks: ['com.example.expiring://callback'],
      grant_types: ['refresh_token', 'password'],
      refresh_token: { ...policy, idle_token_lifetime: 1 },
    });
    const password = 'correct horse battery staple';
    const ada = await tenant.createUser(`ada-${randomUUID().slice(0, 8)}@example.com`, password);
    const bob = await tenant.createUser(`bob-${randomUUID().slice(0, 8)}@example.com`, password);
    const issue = async (email: string, device: string, clientId = app.client_id) => {
      const res = await tenant.form(
        '/oauth/token',
        {
          grant_type: 'password',
          client_id: clientId,
          username: email,
          password,
          scope: 'openid profile email offline_access',
          device,
        },
        { 'x-request-id': `contract-issue-${device.replace(/\W/g, '-')}` },
      );
      expect(res.status).toBe(200);
      return res.body.refresh_token as string;
    };

    // TokenIssued (password grant) ×3; IdTokenDelegated via /delegation (narrower scope, another target,
    // api_type auth0, passthrough) and via the refresh_token grant; TokenRevoked for three reasons.
    const phone = await issue(ada.email, 'Pixel 9');
    const laptop = await issue(ada.email, 'Work laptop');
    const tablet = await issue(bob.email, 'Tablet');
    const delegations = [
      { refresh_token: phone, scope: 'openid email' },
      { refresh_token: phone, target: other.client_id, api_type: 'auth0' },
      { refresh_token: phone, scope: 'passthrough' },
      { refresh_token: tablet },
    ];
    for (const body of delegations) {
      const res = await tenant.json('POST', '/delegation', {
        client_id: app.client_id,
        grant_type: JWT_BEARER,
        ...body,
      });
      expect(res.status).toBe(200);
    }
    const refreshed = await tenant.form('/oauth/token', {
      grant_type: 'refresh_token',
      client_id: app.client_id,
      refresh_token: laptop,
      scope: 'openid profile',
    });
    expect(refreshed.status).toBe(200);

    // TokenIssued v2 with rotating terms; TokenRotated + IdTokenDelegated; RefreshTokenReused + TokenRevoked.
    const first = await issue(ada.email, 'Rotating phone', rotating.client_id);
    const refresh = (clientId: string, token: string) =>
      tenant.form('/oauth/token', { grant_type: 'refresh_token', client_id: clientId, refresh_token: token });
    expect((await refresh(rotating.client_id, first)).status).toBe(200);
    expect((await refresh(rotating.client_id, first)).status).toBe(403);
    // TokenExpired: presented after its idle lifetime.
    const idle = await issue(ada.email, 'Idle phone', expiring.client_id);
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await refresh(expiring.client_id, idle)).status).toBe(403);

    expect((await tenant.form('/oauth/revoke', { client_id: app.client_id, token: laptop })).status).toBe(
      200,
    );
    const listed = await eventually(async () => {
      const res = await tenant.management(
        'GET',
        `/device-credentials?user_id=${encodeURIComponent(ada.user_id)}`,
      );
      const pixel = (res.body as { id: string; device_name: string }[]).find(
        (c) => c.device_name === 'Pixel 9',
      );
      return pixel?.id;
    }, 30_000);
    expect((await tenant.management('DELETE', `/device-credentials/${listed}`)).status).toBe(204);
    const blocked = await tenant.management('PATCH', `/users/${encodeURIComponent(bob.user_id)}`, {
      blocked: true,
    });
    expect(blocked.status).toBe(200);

    const db = await new DataSource({ type: 'postgres', url: system.db.url }).initialize();
    [{ stored }] = await db.query('SELECT count(*)::int AS stored FROM events');
    await db.destroy();

    published = [];
    const consumer = testKafka().consumer({ groupId: `contract-reader-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: eventTopic(system.topicPrefix), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        published.push({
          partition,
          key: message.key?.toString() ?? null,
          headers: strings(message.headers),
          value: JSON.parse(message.value!.toString('utf8')),
          timestamp: message.timestamp,
        });
      },
    });
    try {
      // At least once: a redelivered batch may add duplicates, never fewer than stored.
      await eventually(() => new Set(published.map((p) => p.value.event_id)).size >= stored, 60_000);
    } finally {
      await consumer.disconnect();
    }
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 30_000);

  it('publishes every stored event', () => {
    expect(stored).toBe(3 + 5 + 3 + 5 + 2);
    expect(new Set(published.map((p) => p.value.event_id)).size).toBe(stored);
  });

  it('publishes each event as the message of its type at the current schema version', () => {
    for (const { value } of published) {
      expect(value.schema_version).toBe(SCHEMA_VERSIONS[value.type as CredentialEventType]);
      expect(contract.message(value.type, value.schema_version)).toBeDefined();
    }
  });

  it('matches the document: payload, headers and key of every message', () => {
    const problems: string[] = [];
    for (const { key, headers, value } of published) {
      const message = contract.message(value.type, value.schema_version)!;
      const at = `${value.type} v${value.schema_version} ${value.stream_id}#${value.stream_version}`;
      if (!message.validatePayload(value))
        problems.push(...explain(message.validatePayload.errors).map((e) => `${at} payload ${e}`));
      if (!message.validateHeaders(headers))
        problems.push(...explain(message.validateHeaders.errors).map((e) => `${at} headers ${e}`));
      if (!message.validateKey(key))
        problems.push(...explain(message.validateKey.errors).map((e) => `${at} key ${e}`));
    }
    expect(problems).toEqual([]);
  });

  it('repeats envelope fields in the headers and keys each event by its credential', () => {
    for (const { key, headers, value, timestamp } of published) {
      expect(headers).toEqual({
        event_id: value.event_id,
        event_type: value.type,
        schema_version: String(value.schema_version),
        correlation_id: value.correlation_id,
      });
      expect(key).toBe(value.stream_id);
      // The message timestamp (CreateTime) is when the event occurred.
      expect(Number(timestamp)).toBe(Date.parse(value.occurred_at));
    }
    const partitions = new Map<string, Set<number>>();
    for (const { value, partition } of published) {
      partitions.set(value.stream_id, (partitions.get(value.stream_id) ?? new Set()).add(partition));
    }
    for (const used of partitions.values()) expect(used.size).toBe(1);
  });

  it('is verifiable as published: every hash and chain link, in stream order', () => {
    const hasher = EventHasher.fromConfig(loadConfig({}));
    const streams = new Map<string, Json[]>();
    for (const { value } of published)
      streams.set(value.stream_id, [...(streams.get(value.stream_id) ?? []), value]);
    for (const events of streams.values()) {
      expect(events.map((e) => e.stream_version)).toEqual(events.map((_, i) => i + 1));
      for (const [i, event] of events.entries()) {
        // Keyed under the audit key (the system runs with the development secrets).
        expect(hashAlgorithm(event.hash)).toBe('hmac-sha256');
        expect(hasher.verify(event as never)).toBe(true);
        expect(event.previous_hash).toBe(i === 0 ? null : events[i - 1].hash);
      }
    }
  });

  it('covers every event type, both exchange paths, the recorded scopes and four revocation reasons', () => {
    const values = published.map((p) => p.value);
    expect(new Set(values.map((v) => v.type))).toEqual(new Set(Object.keys(SCHEMA_VERSIONS)));
    const delegated = values.filter((v) => v.type === 'IdTokenDelegated').map((v) => v.data);
    expect(new Set(delegated.map((d) => d.via))).toEqual(new Set(['delegation', 'refresh_token']));
    expect(delegated.map((d) => d.scope).sort()).toEqual(
      [
        'openid email',
        'openid profile',
        'openid profile email offline_access',
        'openid profile email offline_access',
        'openid profile email offline_access',
        'openid profile email offline_access',
      ].sort(),
    );
    expect(new Set(delegated.map((d) => d.api_type))).toEqual(new Set(['app', 'auth0']));
    const reasons = values.filter((v) => v.type === 'TokenRevoked').map((v) => v.data.reason);
    expect(reasons.sort()).toEqual(['management_api', 'oauth_revoke', 'refresh_token_reuse', 'user_blocked']);
    const issued = values.filter((v) => v.type === 'TokenIssued').map((v) => v.data.terms);
    expect(issued.filter((t) => t.rotating)).toHaveLength(2);
    expect(issued.filter((t) => !t.rotating && t.expires_at === null)).toHaveLength(3);
    // Each event names the command that recorded it: an exchange records rotations, reuses (with their
    // revocation) and expiries.
    const commandOf = (v: Json) => {
      if (v.type === 'TokenIssued') return 'IssueToken';
      if (v.type === 'TokenRevoked' && v.data.reason !== 'refresh_token_reuse') return 'RevokeToken';
      return 'DelegateIdToken';
    };
    for (const v of values) expect(v.causation_id).toMatch(new RegExp(`^${commandOf(v)}:[0-9a-f-]{36}$`));
    expect(values.filter((v) => v.type === 'TokenIssued').map((v) => v.correlation_id)).toEqual(
      expect.arrayContaining([
        'contract-issue-Pixel-9',
        'contract-issue-Work-laptop',
        'contract-issue-Tablet',
      ]),
    );
  });
});
