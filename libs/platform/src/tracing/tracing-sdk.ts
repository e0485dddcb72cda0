import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { AppConfig } from '@libs/config';

let running: NodeSDK | undefined;

/**
 * Starts OpenTelemetry for this process when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: W3C trace context
 * (`traceparent`) propagation, spans batched and sent as OTLP/HTTP JSON to `<endpoint>/v1/traces`.
 * No auto-instrumentation: the spans are the service's own (HTTP request, append, relay publish,
 * projector apply), so nothing is patched and nothing else is sent. Off: nothing starts, the API stays
 * a no-op.
 */
export function startTracing(config: AppConfig, service: string): void {
  const endpoint = config.tracing.otlpEndpoint;
  if (!endpoint || running) return;
  const exporter = new OTLPTraceExporter({ url: `${endpoint}/v1/traces` });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': `refresh-token-service-${service}` }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 })],
    instrumentations: [],
  });
  sdk.start();
  running = sdk;
}

/** Stops tracing (if on), exporting the spans still buffered; the last thing a process does. */
export async function stopTracing(): Promise<void> {
  const sdk = running;
  running = undefined;
  await sdk?.shutdown();
}
