import { hostname } from 'node:os';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { JaegerExporter } from '@opentelemetry/exporter-jaeger';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { ExpressInstrumentation, ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { countingExporter, countingProcessor } from './span-counts.js';

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

/** A positive whole number from an `OTEL_BSP_*` variable, or the lab's default. */
function bspSetting(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** What the preload started: flushed and stopped by the platform's graceful shutdown. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Start tracing once: a tracer provider with one batch processor, W3C propagation, and the
 * instrumentations the services need. Nothing at all when `OTEL_SDK_DISABLED=true`.
 *
 * Only the trace SDK (not `@opentelemetry/sdk-node`, which loads metric and log SDKs and every
 * exporter package the services never use): metrics are prom-client's and logs winston's.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): Telemetry | undefined {
  const key = Symbol.for('faultline.telemetry');
  const existing = (globalThis as Record<symbol, Telemetry | undefined>)[key];
  if (existing) return existing;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const serviceName = env.OTEL_SERVICE_NAME ?? env.SERVICE_NAME ?? 'unknown-service';
  const exporter = tracesExporter(env);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': serviceName,
      'service.version': env.SERVICE_VERSION ?? '0.1.0',
      'service.instance.id': `${hostname()}-${process.pid}`,
      'service.namespace': 'faultline',
    }),
    // The default queue (2048 spans) drops spans silently under load: at 100 checkouts/s and ~85
    // spans each, one second of a busy service fills it. 16 384 spans, sent in batches of 1024
    // (OTEL_BSP_MAX_QUEUE_SIZE, OTEL_BSP_MAX_EXPORT_BATCH_SIZE, OTEL_BSP_SCHEDULE_DELAY override).
    spanProcessors: exporter
      ? [
          countingProcessor(),
          new BatchSpanProcessor(countingExporter(exporter), {
            scheduledDelayMillis: bspSetting(env, 'OTEL_BSP_SCHEDULE_DELAY', 1000),
            maxQueueSize: bspSetting(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 16_384),
            maxExportBatchSize: bspSetting(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1024),
          }),
        ]
      : [],
  });
  provider.register({ propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) });
  // Only what the services use: fs, dns and net stay off (noise, cost). Outgoing HTTP is not
  // instrumented: the platform's HTTP client makes one CLIENT span per attempt and propagates its
  // context itself (with both, a request would carry two traceparent headers and the server would
  // drop them); the exporters' own requests are not traced either.
  // The packages are CommonJS and the platform loads them with require (see instrumented.ts), so
  // these hooks see them without an ESM loader hook.
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(metrics|health\/)/.test(req.url ?? ''), ignoreOutgoingRequestHook: () => true }),
      // No span per middleware or request handler: the server span already carries the matched route
      // (set before a layer is skipped) and its status; the layers were a third of a checkout's spans.
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.REQUEST_HANDLER] }),
      // Every statement keeps its span; taking a pooled connection (pg-pool.connect) does not.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new AmqplibInstrumentation(),
      new WinstonInstrumentation({ disableLogSending: true }),
    ],
  });
  const telemetry: Telemetry = { shutdown: () => provider.shutdown() };
  (globalThis as Record<symbol, Telemetry>)[key] = telemetry;
  return telemetry;
}
