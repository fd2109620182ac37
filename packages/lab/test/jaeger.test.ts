import assert from 'node:assert/strict';
import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { jaegerOtlpUrl, jaegerQueryUrl, jaegerThriftUrl } from '../src/index.js';
import { eventually, lab, unique } from './support.js';

interface JaegerTraces {
  data: { traceID: string; spans: { operationName: string; spanID: string }[] }[];
}

/** Export one span through `exporter` and return its trace id. */
async function exportSpan(exporter: SpanExporter, service: string, operation: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const span = provider.getTracer('faultline-test').startSpan(operation, { attributes: { 'app.test.marker': service } });
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
  return span.spanContext().traceId;
}

async function findTrace(service: string): Promise<JaegerTraces['data'][number]> {
  return eventually(`a trace of ${service} in Jaeger`, async () => {
    const response = await fetch(`${jaegerQueryUrl(lab())}/api/traces?service=${service}&limit=5&lookback=1h`);
    if (!response.ok) return undefined;
    return ((await response.json()) as JaegerTraces).data[0];
  });
}

describe('Jaeger (built from its Go module)', () => {
  it('stores a span exported with the Jaeger (Thrift over HTTP) exporter and serves it from the query API', async () => {
    const service = `jaeger-exporter-${unique()}`;
    const traceId = await exportSpan(new JaegerExporter({ endpoint: jaegerThriftUrl(lab()) }), service, 'thrift-span');
    const trace = await findTrace(service);
    assert.equal(trace.traceID, traceId);
    assert.equal(trace.spans[0]?.operationName, 'thrift-span');
  });

  it('stores a span exported with the OTLP exporter and serves it from the query API', async () => {
    const service = `otlp-exporter-${unique()}`;
    const traceId = await exportSpan(new OTLPTraceExporter({ url: jaegerOtlpUrl(lab()) }), service, 'otlp-span');
    const trace = await findTrace(service);
    assert.equal(trace.traceID, traceId);
    assert.equal(trace.spans[0]?.operationName, 'otlp-span');
  });
});
