/**
 * The shop's load test: `k6 run load/shop.ts -e PROFILE=smoke|average|stress|spike|soak|breakpoint|ambient|capacity`.
 * A shopper browses, and one in CHECKOUT_RATIO (default 1 in 5) checks out (each virtual user registers once, on its first checkout);
 * `checkoutOnly` only checks out.
 * `setup()` fails fast when the system is down. The summary is written as JSON (SUMMARY_JSON).
 */

import { fail } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { browse } from './journeys/browse.ts';
import { checkout } from './journeys/checkout.ts';
import { customer } from './lib/auth.ts';
import { API, BASE_URL } from './lib/config.ts';
import { profile } from './lib/profiles.ts';

const selected = profile(__ENV.PROFILE ?? 'smoke');
export const options = { scenarios: selected.scenarios, thresholds: selected.thresholds, summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'] };

const CHECKOUT_RATIO = Number(__ENV.CHECKOUT_RATIO ?? '5');
/** Set by the chaos runner: one checkout in NEW_CUSTOMER_EVERY (counted over the whole test) is a newly registered customer's. */
const NEW_CUSTOMER_EVERY = Number(__ENV.NEW_CUSTOMER_EVERY ?? '0');

export function setup(): { productIds: string[] } {
  const health = http.get(`${BASE_URL}/health`, { timeout: '3s' });
  if (health.status !== 200) fail(`the gateway at ${BASE_URL} does not answer (status ${health.status}): start the lab with "npm start"`);
  const products = http.get(`${API}/products?limit=50`, { timeout: '5s' });
  const items = (products.json('items') as { id: string }[] | undefined) ?? [];
  if (products.status !== 200 || items.length === 0) fail(`the catalog is not available through the gateway (status ${products.status})`);
  return { productIds: items.map((i) => i.id) };
}

export function shopper(data: { productIds: string[] }): void {
  const seen = browse();
  if (__ITER % CHECKOUT_RATIO !== 0) return;
  const fresh = NEW_CUSTOMER_EVERY > 0 && exec.scenario.iterationInTest % (CHECKOUT_RATIO * NEW_CUSTOMER_EVERY) === 0;
  checkout(customer(`vu${__VU}`, fresh), seen.length ? seen : data.productIds);
}

/** Checkout only: one item into the cart, then the order (what `bench:shop` measures capacity in). */
export function checkoutOnly(data: { productIds: string[] }): void {
  checkout(customer(`vu${__VU}`), data.productIds);
}

export default shopper;

interface MetricSummary {
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

/** A compact terminal summary (thresholds first), plus the full summary as JSON when SUMMARY_JSON is set. */
export function handleSummary(data: { metrics: Record<string, MetricSummary> }): Record<string, string> {
  const lines = [`faultline load profile ${__ENV.PROFILE ?? 'smoke'}`];
  for (const [name, metric] of Object.entries(data.metrics)) {
    for (const [expression, result] of Object.entries(metric.thresholds ?? {})) lines.push(`  ${result.ok ? 'PASS' : 'FAIL'}  ${name} ${expression}`);
  }
  const m = (name: string, stat: string) => data.metrics[name]?.values[stat];
  const fmt = (v: number | undefined, digits = 1) => (v === undefined ? '-' : v.toFixed(digits));
  lines.push(
    `  requests ${fmt(m('http_reqs', 'count'), 0)} (${fmt(m('http_reqs', 'rate'))}/s)  failed ${fmt((m('http_req_failed', 'rate') ?? 0) * 100, 2)}%  checks ${fmt((m('checks', 'rate') ?? 0) * 100, 2)}%`,
    `  latency p50 ${fmt(m('http_req_duration', 'p(50)'))} ms  p95 ${fmt(m('http_req_duration', 'p(95)'))} ms  p99 ${fmt(m('http_req_duration', 'p(99)'))} ms  max ${fmt(m('http_req_duration', 'max'))} ms`,
  );
  const out: Record<string, string> = { stdout: `${lines.join('\n')}\n` };
  if (__ENV.SUMMARY_JSON) out[__ENV.SUMMARY_JSON] = JSON.stringify(data, null, 2);
  return out;
}
