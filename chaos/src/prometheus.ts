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
