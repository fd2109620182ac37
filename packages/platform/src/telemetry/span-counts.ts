import type { Context } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Spans this process ended, exported and failed to export, since it started. `ended − exported −
 * failed` is what still waits in the batch queue or was dropped from it (queue full): with the
 * receiver's own count of spans accepted, a benchmark proves no span was lost on the way.
 */
export interface SpanCounts {
  ended: number;
  exported: number;
  failed: number;
}

const KEY = Symbol.for('faultline.telemetry.spans');

/** This process's span counts (all zero when tracing is off). Shared through a global: the preload and the app load the platform separately. */
export function spanCounts(): SpanCounts {
  const store = globalThis as Record<symbol, SpanCounts | undefined>;
  store[KEY] ??= { ended: 0, exported: 0, failed: 0 };
  return store[KEY];
}

/** Counts every span that ends (put before the batch processor). */
export function countingProcessor(): SpanProcessor {
  const counts = spanCounts();
  return {
    onStart(_span: Span, _context: Context) {},
    onEnd() {
      counts.ended += 1;
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}

/** The exporter, counting the spans of each batch it sent or failed to send. */
export function countingExporter(exporter: SpanExporter): SpanExporter {
  const counts = spanCounts();
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code === ExportResultCode.SUCCESS) counts.exported += spans.length;
        else counts.failed += spans.length;
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush ? { forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve() } : {}),
  };
}
