import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IHeaders } from 'kafkajs';
import { eventTopic } from '@libs/messaging';
import {
  deleteTopics,
  eventually,
  startSystem,
  TenantClient,
  testKafka,
  type RunningSystem,
} from '@libs/testing';

/** A span as OTLP/HTTP JSON carries it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
}

/** An in-process OTLP/HTTP receiver: keeps every span posted to `/v1/traces` (JSON). */
async function otlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const rs of body.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server };
}

const strings = (headers: IHeaders | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

/**
 * One trace follows a request from HTTP through the store, the relay and Kafka to the projector: the
 * caller's `traceparent` is continued by the api's server span, the append is its child, the relay's
 * publish span continues the trace stored with the event and hands it to Kafka in a `traceparent`
 * header, and the projector's apply span is that header's child. Both processes export OTLP/HTTP JSON to
 * a receiver in this test.
 */
describe('tracing: HTTP → append → relay → Kafka → projector (e2e)', () => {
  let system: RunningSystem;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  const traceId = randomBytes(16).toString('hex');
  const callerSpan = randomBytes(8).toString('hex');
  const requestId = `trace-${randomUUID()}`;

  beforeAll(async () => {
    receiver = await otlpReceiver();
    system = await startSystem({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    receiver?.server.close();
    if (system) await deleteTopics(testKafka(), [eventTopic(system.topicPrefix)]);
  }, 60_000);

  it('spans the request, the append, the relay publish and the projector apply in one trace', async () => {
    const tenant = new TenantClient(system.url);
    const app = await tenant.createClient({
      name: 'Traced app',
      app_type: 'native',
      callbacks: ['com.example.traced://callback'],
      grant_types: ['refresh_token', 'password'],
    });
    const user = await tenant.createUser(`trace-${randomUUID().slice(0, 8)}@example.com`);
    const issued = await tenant.form(
      '/oauth/token',
      {
        grant_type: 'password',
        client_id: app.client_id,
        username: user.email,
        password: 'correct horse battery staple',
        scope: 'openid offline_access',
        device: 'Traced phone',
      },
      { traceparent: `00-${traceId}-${callerSpan}-01`, 'x-request-id': requestId },
    );
    expect(issued.status).toBe(200);

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const named = (prefix: string) => inTrace().find((s) => s.name.startsWith(prefix));
    await eventually(() => named('projector apply TokenIssued') !== undefined, 30_000);

    const http = named('HTTP POST')!;
    const append = named('event-store append')!;
    const publish = named('relay publish')!;
    const apply = named('projector apply TokenIssued')!;
    expect(http.parentSpanId).toBe(callerSpan);
    expect(http.name).toBe('HTTP POST /oauth/token');
    expect(append.parentSpanId).toBe(http.spanId);
    expect(publish.parentSpanId).toBe(append.spanId);
    expect(apply.parentSpanId).toBe(publish.spanId);
    // The request's correlation id is on the spans of both ends.
    const attribute = (span: OtlpSpan, key: string) =>
      span.attributes?.find((a) => a.key === key)?.value.stringValue;
    expect(attribute(http, 'correlation_id')).toBe(requestId);
    expect(attribute(append, 'correlation_id')).toBe(requestId);
    // No token, no query string in any span.
    expect(JSON.stringify(inTrace())).not.toContain(issued.body.refresh_token);
  }, 60_000);

  it('publishes the event with traceparent and correlation_id headers', async () => {
    const consumer = testKafka().consumer({ groupId: `trace-reader-${randomUUID()}` });
    const headers: Record<string, string>[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: eventTopic(system.topicPrefix), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void headers.push(strings(message.headers)) });
    try {
      await eventually(() => headers.some((h) => h.correlation_id === requestId), 30_000);
    } finally {
      await consumer.disconnect();
    }
    const issued = headers.find((h) => h.correlation_id === requestId)!;
    expect(issued.event_type).toBe('TokenIssued');
    expect(issued.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const publish = receiver.spans.find((s) => s.traceId === traceId && s.name === 'relay publish')!;
    expect(issued.traceparent).toBe(`00-${traceId}-${publish.spanId}-01`);
  }, 60_000);
});
