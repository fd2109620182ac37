import type { LabConfig } from '../config.js';
import { prometheusUrl } from './components/prometheus.js';

/**
 * The Prometheus HTTP API as the lab uses it: instant and range queries, the alerts API and a
 * rule reload. One place, for the chaos runner, the dashboard data check and the tests.
 */

/** GET one endpoint of the API and return its `data`, or throw with Prometheus's error (`what` names the request). */
async function apiGet<T>(cfg: LabConfig, endpoint: string, params: Record<string, string>, what: string, timeoutMs = 10_000): Promise<T | undefined> {
  const url = new URL(endpoint, prometheusUrl(cfg));
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).json()) as { status: string; error?: string; data?: T };
  if (body.status !== 'success') throw new Error(`${what}: ${body.error}`);
  return body.data;
}

type Sample = { metric: Record<string, string>; value: [number, string] };
type InstantData =
  | { resultType: 'vector'; result: Sample[] }
  | { resultType: 'scalar'; result: [number, string] }
  | { resultType: 'matrix' | 'string'; result: unknown };

const instant = (cfg: LabConfig, expr: string, at?: number) =>
  apiGet<InstantData>(cfg, '/api/v1/query', { query: expr, ...(at === undefined ? {} : { time: at.toFixed(3) }) }, `PromQL ${expr}`);

/** Evaluate a PromQL expression at `at` (epoch seconds); the first sample's value, or null when empty. */
export async function promScalar(cfg: LabConfig, expr: string, at: number): Promise<number | null> {
  const data = await instant(cfg, expr, at);
  const raw = data?.resultType === 'scalar' ? data.result[1] : data?.resultType === 'vector' ? data.result[0]?.value[1] : undefined;
  const value = Number(raw);
  return raw !== undefined && Number.isFinite(value) ? value : null;
}

/** The series of an instant vector query now (or at `at`, epoch seconds): labels and value of each. */
export async function promVector(cfg: LabConfig, expr: string, at?: number): Promise<Sample[]> {
  const data = await instant(cfg, expr, at);
  return data?.resultType === 'vector' ? data.result : [];
}

/** Run `expr` over [from, to] (epoch seconds, one point every `step` s): how many finite points came back. */
export async function promRangePoints(cfg: LabConfig, expr: string, from: number, to: number, step = 5): Promise<number> {
  const params = { query: expr, start: from.toFixed(3), end: to.toFixed(3), step: String(step) };
  const data = await apiGet<{ result: { values: [number, string][] }[] }>(cfg, '/api/v1/query_range', params, `PromQL ${expr}`, 15_000);
  return (data?.result ?? []).reduce((n, series) => n + series.values.filter(([, v]) => Number.isFinite(Number(v))).length, 0);
}

/** Replace `$range` in a query by the window length (`[42s]`). */
export const withRange = (query: string, seconds: number) => query.replaceAll('$range', `[${Math.max(5, Math.round(seconds))}s]`);

/** One alert as Prometheus's alerts API reports it: pending (its condition holds, `for` not yet over) or firing. */
export interface ActiveAlert {
  name: string;
  /** The alert's labels without `alertname`. */
  labels: Record<string, string>;
  state: 'pending' | 'firing';
  /** Epoch seconds of the rule evaluation that first found the condition true. */
  activeAt: number;
}

/** Every pending or firing alert right now (`GET /api/v1/alerts`; there is no Alertmanager in the lab). */
export async function activeAlerts(cfg: LabConfig): Promise<ActiveAlert[]> {
  const data = await apiGet<{ alerts: { labels: Record<string, string>; state: string; activeAt: string }[] }>(
    cfg,
    '/api/v1/alerts',
    {},
    'Prometheus alerts API',
    5000,
  );
  return (data?.alerts ?? [])
    .filter((a) => a.state === 'pending' || a.state === 'firing')
    .map(({ labels: { alertname, ...labels }, state, activeAt }) => ({
      name: alertname ?? '?',
      labels,
      state: state as ActiveAlert['state'],
      activeAt: Date.parse(activeAt) / 1000,
    }));
}

/** Whether `alert` is the named one and carries every given label. */
export const matchesAlert =
  (ref: { alert: string; labels: Record<string, string> }) =>
  (alert: ActiveAlert): boolean =>
    alert.name === ref.alert && Object.entries(ref.labels).every(([k, v]) => alert.labels[k] === v);

/** `Alert{a="1",b="2"}`: an alert and its labels, sorted, as one stable key. */
export const alertKey = (a: Pick<ActiveAlert, 'name' | 'labels'>) =>
  `${a.name}{${Object.entries(a.labels)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;

/**
 * Have Prometheus re-read its rule files, so the alerts judged are the ones on disk even when they
 * were edited while the lab ran (unchanged rules keep their pending and firing state).
 */
export async function reloadRules(cfg: LabConfig): Promise<void> {
  const response = await fetch(`${prometheusUrl(cfg)}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`Prometheus refused to reload its rules (HTTP ${response.status}): ${(await response.text()).slice(0, 300)}`);
}
