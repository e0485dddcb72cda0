import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '@libs/config';
import {
  decide,
  evolve,
  initialState,
  LEGACY_REFRESH_TOKEN_POLICY,
  SCHEMA_VERSIONS,
  termsOf,
  upcast,
  type CredentialCommand,
  type CredentialEvent,
  type CredentialState,
  type RevocationReason,
  type StoredEnvelope,
} from '@libs/domain';
import { eventHash, EventHasher, hashAlgorithm } from '@libs/event-store';
import { EVENT_TOPIC_CONFIG, eventTopic, eventTopicSpec } from '@libs/messaging';
import { explain, loadEventContract, type Json } from './asyncapi-contract';
import release010 from '../libs/domain/src/upcasting/fixtures/release-0.1.0.events.json';

/**
 * docs/asyncapi.yaml is the contract other teams code against. These checks keep the document whole
 * and in step with the code without any infrastructure; test/event-contract.e2e-spec.ts validates
 * real published events against it.
 */
describe('docs/asyncapi.yaml', () => {
  const contract = loadEventContract();
  const doc = contract.document;
  const channel = doc.channels.deviceCredentialEvents;
  const defaults = loadConfig({}).kafka;
  const componentOf = (ref: string) => ref.replace('#/components/messages/', '');

  it('is an AsyncAPI 3.0.0 document versioned as the package', () => {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8'));
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info.version).toBe(pkg.version);
    expect(doc.defaultContentType).toBe('application/json');
    expect(Object.keys(doc.servers).sort()).toEqual(['docker-compose', 'local']);
    for (const server of Object.values<Json>(doc.servers)) expect(server.protocol).toBe('kafka');
  });

  it("names the topic as the code does, with the topic's real configuration", () => {
    expect(channel.address).toBe(eventTopic('{prefix}'));
    const spec = eventTopicSpec(defaults);
    expect(channel.bindings.kafka).toMatchObject({
      partitions: spec.partitions,
      replicas: spec.replicationFactor,
      topicConfiguration: {
        'cleanup.policy': EVENT_TOPIC_CONFIG['cleanup.policy'].split(','),
        'retention.ms': Number(EVENT_TOPIC_CONFIG['retention.ms']),
        'retention.bytes': Number(EVENT_TOPIC_CONFIG['retention.bytes']),
      },
    });
    expect(channel['x-topic-configuration']['min.insync.replicas']).toBe(
      Number(spec.config!['min.insync.replicas']),
    );
  });

  it('references only messages that exist, and lists every message on the channel', () => {
    const channelMessages = Object.entries<Json>(channel.messages).map(([id, m]) => [
      id,
      componentOf(m.$ref),
    ]);
    for (const [id, component] of channelMessages) {
      expect(id).toBe(component);
      expect(doc.components.messages[component]).toBeDefined();
    }
    expect(channelMessages.map(([id]) => id).sort()).toEqual(Object.keys(doc.components.messages).sort());
    for (const operation of Object.values<Json>(doc.operations)) {
      expect(operation.channel.$ref).toBe('#/channels/deviceCredentialEvents');
      for (const { $ref } of operation.messages) {
        const id = $ref.replace('#/channels/deviceCredentialEvents/messages/', '');
        expect(channel.messages[id]).toBeDefined();
      }
    }
  });

  it('describes every version of every event type still in the log, and the relay sends the current ones', () => {
    const described = contract.messages.map((m) => `${m.type}@${m.schemaVersion}`).sort();
    const expected = Object.entries(SCHEMA_VERSIONS).flatMap(([type, current]) =>
      Array.from({ length: current }, (_, i) => `${type}@${i + 1}`),
    );
    expect(described).toEqual(expected.sort());
    const sent = doc.operations.publishDeviceCredentialEvents.messages.map(({ $ref }: Json) =>
      contract.messages.find((m) => $ref.endsWith(`/${m.id}`)),
    );
    expect(sent.map((m: Json) => `${m.type}@${m.schemaVersion}`).sort()).toEqual(
      Object.entries(SCHEMA_VERSIONS)
        .map(([type, v]) => `${type}@${v}`)
        .sort(),
    );
  });

  it('keeps every contract closed: each envelope and data schema lists all its fields and no others', () => {
    for (const m of contract.messages) {
      const envelope = doc.components.schemas[m.definition.payload.schema.$ref.split('/').pop()];
      const data = doc.components.schemas[envelope.properties.data.$ref.split('/').pop()];
      for (const schema of [envelope, data]) {
        expect(schema.additionalProperties).toBe(false);
        expect([...schema.required].sort()).toEqual(Object.keys(schema.properties).sort());
      }
      expect(m.definition.bindings.kafka.key.$ref).toBe('#/components/schemas/CredentialId');
    }
  });

  it('gives examples that are real events: valid, consistent with their headers, hashing to their hash', () => {
    // Written under the development audit key (the default configuration's).
    const hasher = EventHasher.fromConfig(loadConfig({}));
    for (const m of contract.messages) {
      expect(m.definition.examples?.length).toBeGreaterThan(0);
      for (const { headers, payload } of m.definition.examples) {
        expect(explain(m.validatePayload(payload) ? [] : m.validatePayload.errors)).toEqual([]);
        expect(explain(m.validateHeaders(headers) ? [] : m.validateHeaders.errors)).toEqual([]);
        expect(headers).toEqual({
          event_id: payload.event_id,
          event_type: payload.type,
          schema_version: String(payload.schema_version),
          correlation_id: payload.correlation_id,
        });
        expect(hasher.verify(payload)).toBe(true);
        // The current versions as this release writes them: keyed, caused by a command.
        const current =
          SCHEMA_VERSIONS[payload.type as keyof typeof SCHEMA_VERSIONS] === payload.schema_version;
        if (current) {
          expect(hashAlgorithm(payload.hash)).toBe('hmac-sha256');
          expect(payload.causation_id).toMatch(/^(IssueToken|RevokeToken|DelegateIdToken):[0-9a-f-]{36}$/);
        }
      }
    }
  });

  it('describes both hash forms: keyed (hmac-sha256: prefix) and the unkeyed SHA-256 of release 0.1.0', () => {
    const v1 = contract.message('TokenIssued', 1)!;
    const example = v1.definition.examples[0].payload;
    const { hash: _hash, ...covered } = example;
    expect(v1.validatePayload({ ...example, hash: eventHash(covered) })).toBe(true);
    expect(v1.validatePayload({ ...example, hash: `sha512:${'0'.repeat(64)}` })).toBe(false);
  });

  it('describes what release 0.1.0 wrote: its log validates against the version 1 messages', () => {
    for (const event of release010 as StoredEnvelope[]) {
      const m = contract.message(event.type, event.schema_version)!;
      expect(m.id).toMatch(/V1$/);
      expect(explain(m.validatePayload(event) ? [] : m.validatePayload.errors)).toEqual([]);
      expect(m.validateKey(event.stream_id)).toBe(true);
    }
  });

  it('describes what upcasting makes of release 0.1.0: TokenIssued version 1 reads as version 2, legacy terms, no jkt', () => {
    const v2 = contract.message('TokenIssued', 2)!;
    const issued = (release010 as StoredEnvelope[]).filter((e) => e.type === 'TokenIssued');
    expect(issued.length).toBeGreaterThan(0);
    for (const event of issued) {
      expect(v2.validatePayload(event)).toBe(false); // as written: no terms, no jkt
      const read = upcast(event);
      expect(read.schema_version).toBe(2);
      expect(explain(v2.validatePayload(read) ? [] : v2.validatePayload.errors)).toEqual([]);
      expect(read.data).toMatchObject({
        terms: { rotating: false, leeway: 0, expires_at: null, idle_lifetime: null },
        jkt: null,
      });
    }
  });

  it('lists every revocation reason of the code, and no other', () => {
    // `satisfies` makes the type checker (npm run typecheck) refuse a reason added to or removed from
    // the code without this list; the expectation below refuses the document lagging behind it.
    const reasons = {
      management_api: true,
      dashboard_unlink: true,
      oauth_revoke: true,
      user_blocked: true,
      user_deleted: true,
      authorization_code_replay: true,
      refresh_token_reuse: true,
      token_limit_exceeded: true,
      client_deleted: true,
    } satisfies Record<RevocationReason, true>;
    const documented = doc.components.schemas.TokenRevokedV1.properties.reason.enum;
    expect([...documented].sort()).toEqual(Object.keys(reasons).sort());
  });

  describe("describes the events this release's decider records, as it records them", () => {
    const at = (iso: string) => new Date(iso);
    const base = { userId: 'auth0|65a1c3e7f0b2d4a6c8e0f213', clientId: 'donMKujzkpXORSItdIqUswvCMLMaeXHc' };
    const hash = (c: string) => c.repeat(43);
    const rotatingPolicy = {
      ...LEGACY_REFRESH_TOKEN_POLICY,
      rotation_type: 'rotating' as const,
      expiration_type: 'expiring' as const,
      leeway: 30,
      infinite_token_lifetime: false,
      token_lifetime: 2_592_000,
      infinite_idle_token_lifetime: false,
      idle_token_lifetime: 1_296_000,
    };
    const issue = (credentialId: string, now: Date, jkt: string | null): CredentialCommand => ({
      type: 'IssueToken',
      credentialId,
      ...base,
      deviceName: 'iPhone 16',
      scope: 'openid profile offline_access',
      tokenHash: hash('A'),
      grant: 'authorization_code',
      terms: termsOf(rotatingPolicy, now),
      jkt,
      now,
    });
    const exchange = (now: Date, presented: string, rotateTo?: string): CredentialCommand => ({
      type: 'DelegateIdToken',
      presentedBy: base.clientId,
      target: base.clientId,
      apiType: 'app',
      idTokenJti: 'pN5OhhIrSBtZf_XECmjbwA',
      expiresAt: new Date(now.getTime() + 36_000_000),
      via: 'refresh_token',
      scope: 'openid profile',
      presentedTokenHash: presented,
      rotateTo,
      dpopJkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I',
      now,
    });
    /** Decides each command on the state the previous ones left; the events of each decision. */
    const run = (commands: CredentialCommand[]) => {
      let state: CredentialState = initialState;
      return commands.map((command) => {
        const events = decide(command, state);
        state = events.reduce(evolve, state);
        return events;
      });
    };

    // A rotating bearer family: issued, rotated, its retired token reused after the leeway.
    const family = run([
      issue('dcr_do6Cfpwq6ZM0EUaU', at('2026-11-28T09:15:02.481Z'), null),
      exchange(at('2026-11-28T21:40:11.052Z'), hash('A'), hash('B')),
      exchange(at('2026-11-28T21:40:20.000Z'), hash('A'), hash('C')), // a retry within the leeway
      exchange(at('2026-11-29T07:02:45.310Z'), hash('A'), hash('D')), // a reuse after it
    ]);
    // A DPoP-bound family nobody used for longer than its idle lifetime; and a revocation at the limit.
    const idle = run([
      issue(
        'dcr_Hx7nQ2vKp9Ls4WdT',
        at('2026-11-10T12:00:00.412Z'),
        '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I',
      ),
      exchange(at('2026-11-30T08:31:17.904Z'), hash('A'), hash('B')),
    ]);
    const limited = run([
      issue('dcr_MbFRdMUv2IhT5wqZ', at('2026-11-28T10:02:44.907Z'), null),
      {
        type: 'RevokeToken',
        reason: 'token_limit_exceeded',
        actor: 'system',
        now: at('2026-11-28T10:02:45.000Z'),
      },
    ]);
    const types = (events: CredentialEvent[]) => events.map((e) => e.type);

    it('records them in the order the document gives', () => {
      expect(family.map(types)).toEqual([
        ['TokenIssued'],
        ['TokenRotated', 'IdTokenDelegated'],
        ['TokenRotated', 'IdTokenDelegated'],
        ['RefreshTokenReused', 'TokenRevoked'],
      ]);
      expect(family[3][1].data).toMatchObject({ reason: 'refresh_token_reuse', actor: 'system' });
      expect(family[2][0].data).toMatchObject({ previous_token_hash: hash('A') });
      expect(idle.map(types)).toEqual([['TokenIssued'], ['TokenExpired']]);
      expect(idle[1][0].data).toMatchObject({ lifetime: 'idle' });
      expect(limited.map(types)).toEqual([['TokenIssued'], ['TokenRevoked']]);
    });

    it('every event type, at its current version, validates against its message', () => {
      const recorded = [...family, ...idle, ...limited].flat();
      expect(new Set(types(recorded))).toEqual(new Set(Object.keys(SCHEMA_VERSIONS)));
      const problems = recorded.flatMap((event) => {
        const message = contract.message(event.type, SCHEMA_VERSIONS[event.type])!;
        const example = message.definition.examples[0].payload;
        const envelope = { ...example, stream_id: event.data.credential_id, data: event.data };
        return message.validatePayload(envelope)
          ? []
          : explain(message.validatePayload.errors).map((e) => `${event.type} ${e}`);
      });
      expect(problems).toEqual([]);
    });
  });

  describe('catches drift between code and document', () => {
    const v2 = contract.message('IdTokenDelegated', 2)!;
    const example = v2.definition.examples[0].payload;
    const withData = (data: Json) => ({ ...example, data });
    const { scope: _scope, ...withoutScope } = example.data;

    it.each([
      ['a field added in code', withData({ ...example.data, claims: ['email'] }), /must NOT have additional/],
      ['a field removed in code', withData(withoutScope), /must have required property 'scope'/],
      [
        'a field renamed in code',
        withData({ ...withoutScope, granted_scope: example.data.scope }),
        /must have required property 'scope'/,
      ],
      ['an envelope field added', { ...example, tenant: 't' }, /must NOT have additional/],
      [
        'a version the message does not describe',
        { ...example, schema_version: 3 },
        /must be equal to constant/,
      ],
      [
        'a credential id without its prefix',
        { ...example, stream_id: 'R7kQ2mX9pLw4Zt1B' },
        /must match pattern/,
      ],
      ['a field retyped in code', withData({ ...example.data, scope: 1 }), /must be string/],
    ])('rejects %s', (_case, payload, error) => {
      expect(v2.validatePayload(payload)).toBe(false);
      expect(explain(v2.validatePayload.errors).join('\n')).toMatch(error);
    });

    const issuedV2 = contract.message('TokenIssued', 2)!;
    const issuedExample = issuedV2.definition.examples[0].payload;
    const issuedWith = (data: Json) => ({ ...issuedExample, data });
    const { terms: _terms, ...withoutTerms } = issuedExample.data;

    it.each([
      ['TokenIssued v2 without its terms', issuedWith(withoutTerms), /must have required property 'terms'/],
      [
        'a field added to the terms',
        issuedWith({ ...issuedExample.data, terms: { ...issuedExample.data.terms, reuse_interval: 0 } }),
        /must NOT have additional/,
      ],
      [
        'a lifetime in milliseconds or as text',
        issuedWith({ ...issuedExample.data, terms: { ...issuedExample.data.terms, idle_lifetime: '15d' } }),
        /must be integer/,
      ],
      ['a jkt that is not a thumbprint', issuedWith({ ...issuedExample.data, jkt: { kty: 'EC' } }), /jkt/],
      [
        'TokenIssued v2 written as version 1',
        { ...issuedExample, schema_version: 1 },
        /must be equal to constant/,
      ],
    ])('rejects %s', (_case, payload, error) => {
      expect(issuedV2.validatePayload(payload)).toBe(false);
      expect(explain(issuedV2.validatePayload.errors).join('\n')).toMatch(error);
    });

    it('does not take an upcast version 1 event for a version 2 one: scope is a string on the wire', () => {
      const upcast1 = upcast((release010 as StoredEnvelope[])[1]);
      expect(upcast1.schema_version).toBe(2);
      expect(v2.validatePayload(upcast1)).toBe(false);
    });
  });
});
