import { hostname } from 'node:os';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export type TracesExporterName = 'jaeger' | 'otlp' | 'console' | 'none';

/** The span exporter named by `OTEL_TRACES_EXPORTER` (Jaeger by default). */
export function tracesExporter(env: NodeJS.ProcessEnv = process.env): SpanExporter | undefined {
  const name = (env.OTEL_TRACES_EXPORTER ?? 'jaeger').split(',')[0]?.trim() as TracesExporterName;
  switch (name) {
    case 'jaeger':
      return new JaegerExporter(env.OTEL_EXPORTER_JAEGER_ENDPOINT ? { endpoint: env.OTEL_EXPORTER_JAEGER_ENDPOINT } : {});
    case 'otlp':
      return new OTLPTraceExporter();
    case 'console':
      return new ConsoleSpanExporter();
    case 'none':
      return undefined;
    default:
      throw new Error(`OTEL_TRACES_EXPORTER=${name} is not supported: use jaeger, otlp, console or none`);
  }
}

/** Start the SDK once; registers it for the platform's graceful shutdown to flush. */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): NodeSDK {
  const key = Symbol.for('faultline.telemetry');
  const existing = (globalThis as Record<symbol, NodeSDK | undefined>)[key];
  if (existing) return existing;
  // Metrics are prom-client's and logs winston's: unless asked for, the SDK must not start its own
  // OTLP metric and log exporters (they default to on, export to nowhere, and stall shutdown).
  process.env.OTEL_METRICS_EXPORTER ??= env.OTEL_METRICS_EXPORTER ?? 'none';
  process.env.OTEL_LOGS_EXPORTER ??= env.OTEL_LOGS_EXPORTER ?? 'none';
  const serviceName = env.OTEL_SERVICE_NAME ?? env.SERVICE_NAME ?? 'unknown-service';
  const exporter = tracesExporter(env);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      'service.name': serviceName,
      'service.version': env.SERVICE_VERSION ?? '0.1.0',
      'service.instance.id': `${hostname()}-${process.pid}`,
      'service.namespace': 'faultline',
    }),
    // The default queue (2048 spans) drops spans silently under load: at 100 checkouts/s and ~85
    // spans each, one second of a busy service fills it. 16 384 spans, sent in batches of 1024.
    spanProcessors: exporter ? [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000, maxQueueSize: 16_384, maxExportBatchSize: 1024 })] : [],
    textMapPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    // Only what the services use: fs, dns and net stay off (noise, cost). fetch is not instrumented:
    // the platform's HTTP client makes one CLIENT span per attempt and propagates its context itself
    // (with both, a request would carry two traceparent headers and the server would drop them).
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(metrics|health\/)/.test(req.url ?? '') }),
      // No span per middleware or request handler: the server span already carries the matched route
      // (set before a layer is skipped) and its status; the layers were a third of a checkout's spans.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.REQUEST_HANDLER] }),
      // Every statement keeps its span; taking a pooled connection (pg-pool.connect) does not.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new AmqplibInstrumentation(),
      new WinstonInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  (globalThis as Record<symbol, NodeSDK>)[key] = sdk;
  return sdk;
}
