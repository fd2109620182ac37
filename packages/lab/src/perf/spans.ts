import { setTimeout as sleep } from 'node:timers/promises';
import type { LabConfig } from '../config.js';
import { jaegerQueryUrl } from '../infra/components/jaeger.js';
import { gatewayUrl } from '../topology/gateway.js';
import { serviceUrl } from '../topology/services.js';
import { SERVICE_NAMES } from '../topology/topology.js';
import type { Session } from './sessions.js';

/** Sum of every sample of a metric (any labels) in Prometheus text, optionally only those whose labels match. */
export function sumSamples(text: string, metric: string, labels?: RegExp): number {
  let total = 0;
  for (const match of text.matchAll(new RegExp(`^${metric}(\\{[^}]*\\})? (\\S+)`, 'gm'))) {
    if (labels && !labels.test(match[1] ?? '')) continue;
    total += Number(match[2]);
  }
  return total;
}

const metricsText = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(3000) }).then(
    (r) => (r.ok ? r.text() : ''),
    () => '',
  );

/** Spans every service ended and exported so far (`telemetry_spans_total`). */
export async function servicesSpanCounts(cfg: LabConfig): Promise<{ ended: number; exported: number; failed: number }> {
  const texts = await Promise.all(SERVICE_NAMES.map((name) => metricsText(`${serviceUrl(cfg, name)}/metrics`)));
  const sum = (outcome: string) => texts.reduce((total, text) => total + sumSamples(text, 'telemetry_spans_total', new RegExp(`outcome="${outcome}"`)), 0);
  return { ended: sum('ended'), exported: sum('exported'), failed: sum('failed') };
}

/** Spans Jaeger's receivers accepted and refused so far (its collector's own metrics). */
export async function jaegerSpanCounts(cfg: LabConfig): Promise<{ accepted: number; refused: number }> {
  const text = await metricsText(`http://127.0.0.1:${cfg.ports['jaeger-metrics']}/metrics`);
  return {
    accepted: sumSamples(text, 'otelcol_receiver_accepted_spans(?:_total)?'),
    refused: sumSamples(text, 'otelcol_receiver_refused_spans(?:_total)?'),
  };
}

interface JaegerTrace {
  spans: { processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

/** One checkout's trace as Jaeger holds it: its spans by service. */
export interface CheckoutTrace {
  traceId: string;
  spans: number;
  byService: Record<string, number>;
}

/**
 * Place one order through the gateway and count its trace's spans once Jaeger's copy stops growing
 * (the saga's messages arrive after the answer). Undefined when the checkout or the trace failed.
 */
export async function probeCheckoutTrace(cfg: LabConfig, session: Session, productId: string): Promise<CheckoutTrace | undefined> {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${session.token}` };
  const api = `${gatewayUrl(cfg)}/api`;
  const cart = await fetch(`${api}/cart/items/${productId}`, { method: 'PUT', headers, body: JSON.stringify({ quantity: 1 }) });
  await cart.arrayBuffer();
  const order = await fetch(`${api}/orders`, {
    method: 'POST',
    headers: { ...headers, 'idempotency-key': `bench-probe-${Date.now()}` },
    body: JSON.stringify({ cardToken: 'tok_visa' }),
  });
  await order.arrayBuffer();
  const traceId = order.headers.get('traceresponse')?.split('-')[1];
  if (!traceId || order.status >= 300) return undefined;
  let last: CheckoutTrace | undefined;
  for (let i = 0; i < 20; i += 1) {
    await sleep(1000);
    const response = await fetch(`${jaegerQueryUrl(cfg)}/api/traces/${traceId}`).catch(() => undefined);
    const found = response?.ok ? ((await response.json()) as { data: JaegerTrace[] }).data[0] : undefined;
    if (!found) continue;
    const byService: Record<string, number> = {};
    for (const span of found.spans) {
      const service = found.processes[span.processID]?.serviceName ?? '?';
      byService[service] = (byService[service] ?? 0) + 1;
    }
    const current = { traceId, spans: found.spans.length, byService };
    if (last && last.spans === current.spans && i >= 3) return current;
    last = current;
  }
  return last;
}

/** A product the probe can buy (the first of the catalog). */
export async function anyProductId(cfg: LabConfig): Promise<string | undefined> {
  const response = await fetch(`${gatewayUrl(cfg)}/api/products?limit=1`).catch(() => undefined);
  const body = response?.ok ? ((await response.json()) as { items?: { id: string }[] }) : undefined;
  return body?.items?.[0]?.id;
}
