import { type LabConfig, prometheusUrl } from '@faultline/lab';

/** Evaluate a PromQL expression at `at` (epoch seconds); the first sample's value, or null when empty. */
export async function promScalar(cfg: LabConfig, query: string, at: number): Promise<number | null> {
  const url = `${prometheusUrl(cfg)}/api/v1/query?query=${encodeURIComponent(query)}&time=${at.toFixed(3)}`;
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: { value: [number, string] }[] | [number, string] };
  };
  if (body.status !== 'success') throw new Error(`PromQL ${query}: ${body.error}`);
  const result = body.data?.result;
  if (body.data?.resultType === 'scalar') return Number((result as [number, string])[1]);
  const first = (result as { value: [number, string] }[] | undefined)?.[0];
  if (!first) return null;
  const value = Number(first.value[1]);
  return Number.isFinite(value) ? value : null;
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
  const body = (await (await fetch(`${prometheusUrl(cfg)}/api/v1/alerts`, { signal: AbortSignal.timeout(5000) })).json()) as {
    status: string;
    error?: string;
    data?: { alerts: { labels: Record<string, string>; state: string; activeAt: string }[] };
  };
  if (body.status !== 'success') throw new Error(`Prometheus alerts API: ${body.error}`);
  return (body.data?.alerts ?? [])
    .filter((a) => a.state === 'pending' || a.state === 'firing')
    .map(({ labels: { alertname, ...labels }, state, activeAt }) => ({
      name: alertname ?? '?',
      labels,
      state: state as ActiveAlert['state'],
      activeAt: Date.parse(activeAt) / 1000,
    }));
}

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
