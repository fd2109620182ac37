/** One request as the gateway logged it. */
export interface GatewayHit {
  /** Epoch seconds (ms precision). */
  at: number;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

/** The gateway's requests of one run (by the run id header k6 sends), from its access-log lines (ECS JSON). */
export async function readHits(lines: AsyncIterable<string>, runId: string): Promise<GatewayHit[]> {
  const hits: GatewayHit[] = [];
  for await (const line of lines) {
    if (!line.includes(runId)) continue;
    try {
      const r = JSON.parse(line) as {
        msec: number;
        http: { request: { method: string }; response: { status_code: number } };
        url: { original: string };
        event: { duration: number };
        faultline?: { run?: string };
      };
      if (r.faultline?.run !== runId) continue;
      hits.push({ at: r.msec, method: r.http.request.method, path: r.url.original, status: r.http.response.status_code, durationMs: r.event.duration * 1000 });
    } catch {
      // a line cut by rotation or a partial write: skip it
    }
  }
  return hits;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}

/** Hits with `at` in [from, to) (epoch seconds). */
export const within = (hits: GatewayHit[], from: number, to: number) => hits.filter((h) => h.at >= from && h.at < to);

/** Share of 5xx answers (the gateway's error rate). */
export const errorRate = (hits: GatewayHit[]) => (hits.length ? hits.filter((h) => h.status >= 500).length / hits.length : null);
