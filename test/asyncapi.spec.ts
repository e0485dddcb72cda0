import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '@libs/config';
import { SCHEMA_VERSIONS, upcast, type StoredEnvelope } from '@libs/domain';
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

    it('does not take an upcast version 1 event for a version 2 one: scope is a string on the wire', () => {
      const upcast1 = upcast((release010 as StoredEnvelope[])[1]);
      expect(upcast1.schema_version).toBe(2);
      expect(v2.validatePayload(upcast1)).toBe(false);
    });
  });
});
