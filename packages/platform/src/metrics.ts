import { trace } from '@opentelemetry/api';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import client from 'prom-client';
import { type SpanCounts, spanCounts } from './telemetry/span-counts.js';

/** prom-client, re-exported so services never import it directly. */
export { client as prom };

export interface Metrics {
  /** The service's registry (OpenMetrics, so histograms can carry trace-id exemplars). */
  readonly registry: client.Registry<client.OpenMetricsContentType>;
  /** RED: request duration by method, route template and status (count = rate, status = errors). */
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status_code'>;
  /** Express middleware that observes every request into {@link httpDuration}. */
  readonly middleware: RequestHandler;
  /** The `/metrics` handler: OpenMetrics with exemplars when asked for, Prometheus text otherwise. */
  readonly handler: RequestHandler;
}

/**
 * Wrap a factory of metrics so it runs once per registry: every part of one service shares the
 * same metric objects, and prom-client refuses a second metric with the same name.
 */
export function perRegistry<T>(create: (registry: client.Registry<client.OpenMetricsContentType>) => T) {
  const made = new WeakMap<client.Registry<client.OpenMetricsContentType>, T>();
  return (registry: client.Registry<client.OpenMetricsContentType>): T => {
    let metrics = made.get(registry);
    if (metrics === undefined) {
      metrics = create(registry);
      made.set(registry, metrics);
    }
    return metrics;
  };
}

/** Latency buckets (seconds) from 5 ms to 10 s: fine where breakers and timeouts act. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 2.5, 5, 10];

/** The trace id of the active span, as an exemplar label set (empty outside a sampled span). */
export function traceExemplar(): Record<string, string> {
  const context = trace.getActiveSpan()?.spanContext();
  return context && context.traceFlags & 1 ? { trace_id: context.traceId } : {};
}

/** Route template of a matched request (`/v1/orders/:id`), never the raw path. */
export function routeTemplate(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route?.path;
  if (typeof route !== 'string') return 'unmatched';
  return `${req.baseUrl}${route}` || '/';
}

/** OpenMetrics text → Prometheus text 0.0.4: no exemplars, no `# EOF`, counters named with `_total`. */
export function toPrometheusText(openMetrics: string): string {
  const lines = openMetrics.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    if (line === '# EOF' || line.startsWith('# UNIT ')) continue;
    const counter = line.match(/^# TYPE (\S+) counter$/);
    if (counter) {
      const name = counter[1] as string;
      const help = out.length - 1;
      if (out[help]?.startsWith(`# HELP ${name} `)) out[help] = (out[help] as string).replace(`# HELP ${name} `, `# HELP ${name}_total `);
      out.push(`# TYPE ${name}_total counter`);
      continue;
    }
    out.push(line.startsWith('#') ? line : line.replace(/ # \{.*$/, ''));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Create the service's metrics: process defaults, the RED histogram, the middleware and `/metrics`. */
export function createMetrics(application: string): Metrics {
  const registry = new client.Registry<client.OpenMetricsContentType>();
  registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
  registry.setDefaultLabels({ application });
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'http_server_requests_seconds',
    help: 'HTTP server request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
    enableExemplars: true,
  });

  // Spans ended, exported and failed, read from the telemetry preload at each scrape.
  const seen: SpanCounts = { ended: 0, exported: 0, failed: 0 };
  new client.Counter({
    name: 'telemetry_spans',
    help: 'Trace spans this process ended, exported, and failed to export (ended − exported − failed: queued or dropped)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const now = spanCounts();
      for (const outcome of ['ended', 'exported', 'failed'] as const) {
        this.inc({ outcome }, now[outcome] - seen[outcome]);
        seen[outcome] = now[outcome];
      }
    },
  });

  const middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const exemplar = traceExemplar();
    res.once('finish', () => {
      if (req.path === '/metrics') return;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      httpDuration.observe({
        labels: { method: req.method, route: routeTemplate(req), status_code: String(res.statusCode) },
        value: seconds,
        exemplarLabels: exemplar,
      });
    });
    next();
  };

  // Scrapes are rare; render them one at a time so concurrent scrapes never interleave.
  let rendering: Promise<unknown> = Promise.resolve();
  const handler: RequestHandler = (req, res, next) => {
    const openMetrics = (req.get('accept') ?? '').includes('application/openmetrics-text');
    rendering = rendering.then(async () => {
      try {
        const text = await registry.metrics();
        res.set('content-type', openMetrics ? client.Registry.OPENMETRICS_CONTENT_TYPE : client.Registry.PROMETHEUS_CONTENT_TYPE);
        res.send(openMetrics ? text : toPrometheusText(text));
      } catch (error) {
        next(error);
      }
    });
  };

  return { registry, httpDuration, middleware, handler };
}
