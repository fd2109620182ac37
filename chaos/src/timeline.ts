import { type ActiveAlert, alertKey } from '@faultline/lab';
import { errorRate, type GatewayHit, percentile } from './gateway-log.js';
import type { AlertSeen, Journal } from './journal.js';

/** One sample a second from `start` to `end` (epoch seconds): gateway latency, errors, throughput, breaker states. */
export function buildTimeline(start: number, end: number, hits: GatewayHit[], breakers: { at: number; states: Record<string, string> }[]): Journal['timeline'] {
  const seconds = Math.max(1, Math.ceil(end - start));
  const buckets: GatewayHit[][] = Array.from({ length: seconds }, () => []);
  for (const hit of hits) {
    const i = Math.floor(hit.at - start);
    if (i >= 0 && i < seconds) buckets[i]?.push(hit);
  }
  const keys = [...new Set(breakers.flatMap((b) => Object.keys(b.states)))].sort();
  const breakerLines: Record<string, string[]> = Object.fromEntries(keys.map((k) => [k, [] as string[]]));
  let cursor = 0;
  let last: Record<string, string> = {};
  for (let i = 0; i < seconds; i += 1) {
    while (cursor < breakers.length && (breakers[cursor]?.at ?? Number.POSITIVE_INFINITY) < start + i + 1) {
      last = breakers[cursor]?.states ?? last;
      cursor += 1;
    }
    for (const key of keys) breakerLines[key]?.push(last[key] ?? 'unknown');
  }
  return {
    t: buckets.map((_, i) => i),
    latencyP95Ms: buckets.map((b) =>
      percentile(
        b.map((h) => h.durationMs),
        95,
      ),
    ),
    errorRate: buckets.map((b) => errorRate(b)),
    requestsPerSec: buckets.map((b) => b.length),
    breakers: breakerLines,
  };
}

/** Every alert seen pending or firing in the samples, with its times in seconds from `start`, in order of activation. */
export function alertsSeen(start: number, samples: { at: number; alerts: ActiveAlert[] }[]): AlertSeen[] {
  const rel = (epoch: number) => Math.round((epoch - start) * 10) / 10;
  const seen = new Map<string, AlertSeen>();
  for (const sample of samples) {
    for (const alert of sample.alerts) {
      // A new activation (the alert resolved and came back) keeps the first one's times.
      const entry = seen.get(alertKey(alert)) ?? { alert: alert.name, labels: alert.labels, activeAt: rel(alert.activeAt), firingAt: null, lastSeenAt: 0 };
      if (alert.state === 'firing' && entry.firingAt === null) entry.firingAt = rel(sample.at);
      entry.lastSeenAt = rel(sample.at);
      seen.set(alertKey(alert), entry);
    }
  }
  return [...seen.values()].sort((a, b) => a.activeAt - b.activeAt);
}
