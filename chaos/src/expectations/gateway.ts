import { promScalar, withRange } from '@faultline/lab';
import { errorRate, type GatewayHit, percentile, within } from '../gateway-log.js';
import { fmt, type Judge } from './context.js';

/** Floor of a route's before-phase p95 in `bulkhead-isolation`, in seconds (as recovery's). */
const ISOLATION_FLOOR_SEC = 0.05;

/** A route's p95 during the window, as a factor of its before-phase p95 (from the service's own histogram). */
export const bulkheadIsolation: Judge<'bulkhead-isolation'> = async (e, { obs, from, to, result }) => {
  // Each window exactly, asked at its own end: a before-phase widened into the fault would flatter the ratio.
  const p95 = async (a: number, b: number) =>
    promScalar(
      obs.cfg,
      withRange(
        `histogram_quantile(0.95, sum by (le) (increase(http_server_requests_seconds_bucket{application="${e.service}",route="${e.route}"}$range)))`,
        b - a,
      ),
      b,
    );
  const firstStart = Math.min(...obs.faults.map((f) => f.start));
  const before = await p95(obs.loadStart, firstStart);
  const now = await p95(from, to);
  // A 8 ms before-phase must not make 30 ms a failure: the before-phase counts as at least the floor.
  const measured = before && now !== null ? now / Math.max(before, ISOLATION_FLOOR_SEC) : null;
  return result(
    measured,
    measured !== null && measured <= e.maxFactor,
    `≤ ${e.maxFactor}× the before-phase p95 (at least ${ISOLATION_FLOOR_SEC * 1000} ms)`,
    '×',
    `p95 before ${before === null ? '-' : fmt(before * 1000)} ms, now ${now === null ? '-' : fmt(now * 1000)} ms`,
  );
};

/**
 * The shoppers' own requests: browsing, cart and checkout. Registering and logging in is the load's
 * set-up (k6 registers a customer per virtual user, and adds virtual users whenever answers slow
 * down): each costs the user service a password hash, so under a fault their pile-up would be
 * judged instead of the shop. An absolute latency bound is judged without them; errors count everything.
 */
const shopping = (hits: GatewayHit[]) => hits.filter((h) => !h.path.startsWith('/api/auth/'));

/** Checkouts answered without a 5xx (201 done or 202 pending): the fallback when a dependency is away. */
export const fallbackServed: Judge<'fallback-served'> = (e, { obs, from, to, result }) => {
  const checkouts = within(obs.hits, from, to).filter((h) => h.method === 'POST' && h.path.startsWith('/api/orders'));
  const measured = checkouts.length ? (100 * checkouts.filter((h) => h.status < 500).length) / checkouts.length : null;
  return result(measured, measured !== null && measured >= e.minPercent, `≥ ${e.minPercent} %`, '%', `${checkouts.length} checkouts in the window`);
};

/** The gateway's 5xx rate in the window. */
export const errorRateJudge: Judge<'error-rate'> = (e, { obs, from, to, result }) => {
  const measured = errorRate(within(obs.hits, from, to));
  return result(measured, measured !== null && measured <= e.max, `≤ ${e.max}`, 'ratio');
};

/** A percentile of the gateway's latency in the window. */
export const latency: Judge<'latency'> = (e, { obs, from, to, result }) => {
  const measured = percentile(
    shopping(within(obs.hits, from, to)).map((h) => h.durationMs),
    Number(e.percentile.slice(1)),
  );
  return result(measured, measured !== null && measured <= e.maxMs, `≤ ${e.maxMs} ms`, 'ms');
};

/** Floor of the before-phase p95 that recovery is compared with: a 5 ms baseline must not make 11 ms a failure. */
const RECOVERY_FLOOR_MS = 50;
/** Length of each window recovery is judged over. */
const RECOVERY_WINDOW_SEC = 5;

/**
 * Recovery: from the end of the last fault, the earliest second after which every
 * {@link RECOVERY_WINDOW_SEC}-second window of gateway traffic has its p95 within `maxFactor` of
 * the before-phase p95 and its 5xx rate at or under `maxErrorRate`. Measured: seconds to that point.
 * Windows end where k6 stops starting shoppers: after that only the slowest requests under way are
 * still answered (k6 waits for them), a mix unlike the before-phase's.
 */
export const recovers: Judge<'recovers'> = (e, { obs, result }) => {
  const firstStart = Math.min(...obs.faults.map((f) => f.start));
  const lastEnd = Math.max(...obs.faults.map((f) => f.end));
  const loadEnd = Math.min(obs.loadEnd, obs.loadStart + obs.experiment.load.duration);
  const before = percentile(
    within(obs.hits, obs.loadStart, firstStart).map((h) => h.durationMs),
    95,
  );
  const limitMs = e.maxFactor * Math.max(before ?? 0, RECOVERY_FLOOR_MS);
  const threshold = `≤ ${e.within} s after the last fault`;
  if (before === null) return result(null, false, threshold, 's', 'no traffic before the first fault to compare with');
  // A second of slack: a fault ends when its removal is done, a moment after its planned end.
  if (loadEnd - lastEnd < e.within + RECOVERY_WINDOW_SEC - 1)
    return result(null, false, threshold, 's', `the load ends ${fmt(loadEnd - lastEnd, 0)} s after the last fault: too soon to judge a ${e.within} s recovery`);
  const bad: number[] = [];
  for (let t = lastEnd; t + RECOVERY_WINDOW_SEC <= loadEnd; t += 1) {
    const hits = within(obs.hits, t, t + RECOVERY_WINDOW_SEC);
    if (hits.length === 0) continue;
    const p95 = percentile(
      hits.map((h) => h.durationMs),
      95,
    );
    if ((p95 ?? 0) > limitMs || (errorRate(hits) ?? 0) > e.maxErrorRate) bad.push(t);
  }
  const lastBad = bad.at(-1);
  const measured = lastBad === undefined ? 0 : lastBad + 1 - lastEnd;
  return result(
    measured,
    measured <= e.within,
    threshold,
    's',
    `before-phase p95 ${fmt(before, 0)} ms → limit ${fmt(limitMs, 0)} ms, 5xx ≤ ${e.maxErrorRate}${lastBad === undefined ? '' : `; last window out of bounds at ${fmt(lastBad - lastEnd, 0)} s`}`,
  );
};
