import { setTimeout as sleep } from 'node:timers/promises';
import { type ActiveAlert, adminToken, alertKey, audit, type LabConfig, matchesAlert, promScalar, queueStates, serviceUrl, withRange } from '@faultline/lab';
import { errorRate, type GatewayHit, percentile, within } from './gateway-log.js';
import type { ExpectationResult } from './journal.js';
import { type Expectation, type Experiment, verifiesOf } from './schema.js';

/** What a run observed, in epoch seconds. */
export interface Observations {
  cfg: LabConfig;
  experiment: Experiment;
  loadStart: number;
  loadEnd: number;
  faults: { id: string; start: number; end: number }[];
  hits: GatewayHit[];
  /** One sample a second of every breaker's state (`service→dependency`). */
  breakers: { at: number; states: Record<string, string> }[];
  /** One sample a second of Prometheus's pending and firing alerts; sampling goes on while expectations are judged. */
  alerts: { at: number; alerts: ActiveAlert[] }[];
  /** One sample a second of the attempts in flight per dependency (`service→dependency`). */
  inFlight: { at: number; values: Record<string, number> }[];
  /** Messages in each dead-letter queue when the load started (dead letters are judged as growth from here). */
  deadLettersAtStart: Record<string, number>;
}

const MECHANISM: Record<Expectation['kind'], string> = {
  'breaker-opens': 'circuit breaker',
  'breaker-closes': 'circuit breaker',
  'breaker-stays-closed': 'circuit breaker',
  'retry-amplification': 'retry',
  'bulkhead-isolation': 'bulkhead',
  'fallback-served': 'fallback',
  'error-rate': 'errors',
  latency: 'timeout',
  'dead-letters': 'dead-letter queue',
  'sagas-terminal': 'saga',
  'alert-fires': 'alerting',
  'alert-quiet': 'alerting',
  'audit-clean': 'invariants',
  promql: 'custom',
  'attempt-duration': 'timeout',
  'max-in-flight': 'bulkhead',
  recovers: 'recovery',
};

/** Floor of the before-phase p95 that recovery is compared with: a 5 ms baseline must not make 11 ms a failure. */
const RECOVERY_FLOOR_MS = 50;
/** Length of each window recovery is judged over. */
const RECOVERY_WINDOW_SEC = 5;

/** The phase window an expectation judges, in epoch seconds. */
export function windowOf(obs: Observations, e: Expectation): { from: number; to: number; fault: { id: string; start: number; end: number } } {
  const fault = obs.faults.find((f) => f.id === (e.fault ?? obs.faults[0]?.id)) ?? { id: '-', start: obs.loadStart, end: obs.loadEnd };
  const firstStart = Math.min(...obs.faults.map((f) => f.start));
  if (e.phase === 'before') return { from: obs.loadStart, to: firstStart, fault };
  if (e.phase === 'during') return { from: fault.start, to: fault.end, fault };
  return { from: fault.end, to: obs.loadEnd, fault };
}

const fmt = (v: number, digits = 2) => Number(v.toFixed(digits));
const compare = (value: number, op: string, limit: number) =>
  op === '<' ? value < limit : op === '<=' ? value <= limit : op === '>' ? value > limit : op === '>=' ? value >= limit : value === limit;

/** Poll `check` once a second until it returns a number or `seconds` pass; the number or null. */
async function waitFor(seconds: number, check: () => Promise<number | null>): Promise<number | null> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value !== null || Date.now() >= deadline) return value;
    await sleep(1000);
  }
}

/** Judge one expectation against what the run observed. */
export async function evaluate(obs: Observations, e: Expectation): Promise<ExpectationResult> {
  const { from, to, fault } = windowOf(obs, e);
  const verifies = verifiesOf(e);
  const base = {
    id: e.id,
    kind: e.kind,
    mechanism: MECHANISM[e.kind],
    description: e.description ?? '',
    phase: e.fault ? `${e.phase} ${e.fault}` : e.phase,
    ...(verifies ? { verifies } : {}),
  };
  const result = (measured: number | null, passed: boolean, threshold: string, unit: string, detail?: string): ExpectationResult => ({
    ...base,
    ...(e.kind === 'promql' ? { mechanism: e.mechanism } : {}),
    measured: measured === null ? null : fmt(measured),
    passed,
    threshold,
    unit,
    ...(detail ? { detail } : {}),
  });
  switch (e.kind) {
    case 'breaker-opens': {
      const key = `${e.service}→${e.dependency}`;
      const opened = obs.breakers.find((s) => s.at >= fault.start && s.states[key] === 'open');
      const measured = opened ? Math.max(0, opened.at - fault.start) : null;
      return result(measured, measured !== null && measured <= e.within, `≤ ${e.within} s`, 's', measured === null ? `${key} never opened` : undefined);
    }
    case 'breaker-closes': {
      const key = `${e.service}→${e.dependency}`;
      const closed = obs.breakers.find((s) => s.at >= fault.end && s.states[key] === 'closed');
      const measured = closed ? Math.max(0, closed.at - fault.end) : null;
      return result(measured, measured !== null && measured <= e.within, `≤ ${e.within} s`, 's', measured === null ? `${key} did not close again` : undefined);
    }
    case 'breaker-stays-closed': {
      const key = `${e.service}→${e.dependency}`;
      const open = obs.breakers.filter((s) => s.at >= from && s.at < to && s.states[key] === 'open').length;
      return result(open, open === 0, '≤ 0 s open', 's');
    }
    case 'retry-amplification': {
      const range = to - from;
      const labels = `application="${e.service}",name="${e.dependency}"`;
      const attempts = await promScalar(obs.cfg, withRange(`sum(increase(resilience4j_circuitbreaker_calls_seconds_count{${labels}}$range))`, range), to + 5);
      const calls = await promScalar(obs.cfg, withRange(`sum(increase(resilience4j_retry_calls_total{${labels}}$range))`, range), to + 5);
      const measured = attempts !== null && calls ? attempts / calls : null;
      return result(
        measured,
        measured !== null && measured <= e.max,
        `≤ ${e.max} calls/request`,
        'calls/request',
        measured === null ? 'no calls to the dependency in the window' : undefined,
      );
    }
    case 'bulkhead-isolation': {
      const p95 = async (a: number, b: number) =>
        promScalar(
          obs.cfg,
          withRange(
            `histogram_quantile(0.95, sum by (le) (increase(http_server_requests_seconds_bucket{application="${e.service}",route="${e.route}"}$range)))`,
            b - a,
          ),
          b + 5,
        );
      const firstStart = Math.min(...obs.faults.map((f) => f.start));
      const before = await p95(obs.loadStart, firstStart);
      const now = await p95(from, to);
      const measured = before && now !== null ? now / before : null;
      return result(
        measured,
        measured !== null && measured <= e.maxFactor,
        `≤ ${e.maxFactor}× the before-phase p95`,
        '×',
        `p95 before ${before === null ? '-' : fmt(before * 1000)} ms, now ${now === null ? '-' : fmt(now * 1000)} ms`,
      );
    }
    case 'fallback-served': {
      const checkouts = within(obs.hits, from, to).filter((h) => h.method === 'POST' && h.path.startsWith('/api/orders'));
      const measured = checkouts.length ? (100 * checkouts.filter((h) => h.status < 500).length) / checkouts.length : null;
      return result(measured, measured !== null && measured >= e.minPercent, `≥ ${e.minPercent} %`, '%', `${checkouts.length} checkouts in the window`);
    }
    case 'error-rate': {
      const measured = errorRate(within(obs.hits, from, to));
      return result(measured, measured !== null && measured <= e.max, `≤ ${e.max}`, 'ratio');
    }
    case 'latency': {
      const measured = percentile(
        within(obs.hits, from, to).map((h) => h.durationMs),
        Number(e.percentile.slice(1)),
      );
      return result(measured, measured !== null && measured <= e.maxMs, `≤ ${e.maxMs} ms`, 'ms');
    }
    case 'dead-letters': {
      // Growth during the run, so that letters an earlier run left behind neither fail nor satisfy this one.
      const queues = (await queueStates(obs.cfg)).filter((q) => q.deadLetter && (!e.queue || q.name === e.queue));
      const measured = queues.reduce((a, q) => a + q.messages - (obs.deadLettersAtStart[q.name] ?? 0), 0);
      const ok = (e.min === undefined || measured >= e.min) && (e.max === undefined || measured <= e.max);
      return result(
        measured,
        ok,
        [e.min !== undefined ? `≥ ${e.min}` : '', e.max !== undefined ? `≤ ${e.max}` : ''].filter(Boolean).join(' and ') || 'any',
        'new messages',
        queues.map((q) => `${q.name}: ${obs.deadLettersAtStart[q.name] ?? 0} → ${q.messages}`).join(', ') || 'no dead-letter queue',
      );
    }
    case 'sagas-terminal': {
      const token = await adminToken(obs.cfg);
      const open = async () => {
        const response = await fetch(`${serviceUrl(obs.cfg, 'order')}/v1/admin/sagas?olderThanSec=0`, { headers: { authorization: `Bearer ${token}` } });
        if (!response.ok) throw new Error(`order's saga list answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
        const body = (await response.json()) as { items?: unknown[] };
        if (!Array.isArray(body.items)) throw new Error("order's saga list has no items");
        return body.items.length;
      };
      const remaining = Math.max(0, fault.end + e.within - Date.now() / 1000);
      const doneAt = await waitFor(remaining, async () => ((await open()) === 0 ? Date.now() / 1000 : null));
      const measured = doneAt === null ? null : Math.max(0, doneAt - fault.end);
      return result(
        measured,
        measured !== null && measured <= e.within,
        `≤ ${e.within} s after the fault`,
        's',
        doneAt === null ? `${await open()} sagas still open` : undefined,
      );
    }
    case 'alert-fires':
      return judgeAlert(obs, e, fault.start, result);
    case 'alert-quiet':
      return judgeQuiet(obs, e, from, result);
    case 'audit-clean': {
      const check = async () => {
        const report = await audit(obs.cfg, { stuckAfterSec: e.within });
        const violations = report.violations.filter((v) => !e.invariants || e.invariants.includes(v.invariant));
        return { clean: violations.length === 0, violations };
      };
      let last = await check();
      const deadline = Date.now() + e.within * 1000;
      while (!last.clean && Date.now() < deadline) {
        await sleep(2000);
        last = await check();
      }
      return result(
        last.violations.length,
        last.clean,
        '≤ 0 violations',
        'violations',
        last.violations
          .slice(0, 5)
          .map((v) => `${v.invariant} ${v.orderId ?? ''} ${v.detail}`)
          .join('; ') || undefined,
      );
    }
    case 'attempt-duration': {
      // The caller's own histogram of attempts (every attempt, timed outside the time limiter).
      const q = Number(e.percentile.slice(1)) / 100;
      const labels = `application="${e.service}",name="${e.dependency}"`;
      const seconds = await promScalar(
        obs.cfg,
        withRange(`histogram_quantile(${q}, sum by (le) (increase(resilience4j_circuitbreaker_calls_seconds_bucket{${labels}}$range)))`, to - from),
        to + 5,
      );
      const measured = seconds === null || Number.isNaN(seconds) ? null : seconds * 1000;
      return result(
        measured,
        measured !== null && measured <= e.maxMs,
        `${e.percentile} ≤ ${e.maxMs} ms`,
        'ms',
        measured === null ? `no attempts to ${e.dependency} in the window` : undefined,
      );
    }
    case 'max-in-flight': {
      const key = `${e.service}→${e.dependency}`;
      const samples = obs.inFlight.filter((s) => s.at >= from && s.at < to && s.values[key] !== undefined);
      const measured = samples.length ? Math.max(...samples.map((s) => s.values[key] ?? 0)) : null;
      return result(
        measured,
        measured !== null && measured <= e.max,
        `≤ ${e.max} at once`,
        'calls',
        measured === null ? `${key} was never sampled (is ${e.service} running?)` : `${samples.length} samples`,
      );
    }
    case 'recovers':
      return judgeRecovery(obs, e, result);
    case 'promql': {
      const measured = await promScalar(obs.cfg, withRange(e.query, to - from), to + 5);
      return result(measured, measured !== null && compare(measured, e.op, e.value), `${e.op.replace('<=', '≤').replace('>=', '≥')} ${e.value}`, '');
    }
  }
}

/**
 * Recovery: from the end of the last fault, the earliest second after which every
 * {@link RECOVERY_WINDOW_SEC}-second window of gateway traffic has its p95 within `maxFactor` of
 * the before-phase p95 and its 5xx rate at or under `maxErrorRate`. Measured: seconds to that point.
 */
function judgeRecovery(obs: Observations, e: Extract<Expectation, { kind: 'recovers' }>, result: Judged): ExpectationResult {
  const firstStart = Math.min(...obs.faults.map((f) => f.start));
  const lastEnd = Math.max(...obs.faults.map((f) => f.end));
  const before = percentile(
    within(obs.hits, obs.loadStart, firstStart).map((h) => h.durationMs),
    95,
  );
  const limitMs = e.maxFactor * Math.max(before ?? 0, RECOVERY_FLOOR_MS);
  const threshold = `≤ ${e.within} s after the last fault`;
  if (before === null) return result(null, false, threshold, 's', 'no traffic before the first fault to compare with');
  if (obs.loadEnd - lastEnd < e.within + RECOVERY_WINDOW_SEC)
    return result(
      null,
      false,
      threshold,
      's',
      `the load ends ${fmt(obs.loadEnd - lastEnd, 0)} s after the last fault: too soon to judge a ${e.within} s recovery`,
    );
  const bad: number[] = [];
  for (let t = lastEnd; t + RECOVERY_WINDOW_SEC <= obs.loadEnd; t += 1) {
    const hits = within(obs.hits, t, t + RECOVERY_WINDOW_SEC);
    if (hits.length === 0) continue;
    const p95 = percentile(
      hits.map((h) => h.durationMs),
      95,
    );
    const errors = errorRate(hits) ?? 0;
    if ((p95 ?? 0) > limitMs || errors > e.maxErrorRate) bad.push(t);
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
}

type Judged = (measured: number | null, passed: boolean, threshold: string, unit: string, detail?: string) => ExpectationResult;

/** Alerts are sampled every second; a longer hole means Prometheus's alerts API did not answer. */
const MAX_SAMPLE_GAP_SEC = 5;
/** How long `alert-quiet` waits for an alert still pending when judged to fire or resolve (the longest `for` is 30 s). */
const PENDING_WAIT_SEC = 45;

/** The longest stretch of [from, to] (epoch seconds) without an alert sample. */
export function samplingGap(samples: Observations['alerts'], from: number, to: number): number {
  let last = from;
  let gap = 0;
  for (const { at } of samples) {
    if (at < from || at > to) continue;
    gap = Math.max(gap, at - last);
    last = at;
  }
  return Math.max(gap, to - last);
}

const gapDetail = (gap: number) => `no alert samples for ${fmt(gap, 0)} s: Prometheus's alerts API did not answer, so this cannot be judged`;

/**
 * Did the alert go from quiet to firing because of the fault? It must become active (pending)
 * no earlier than the fault's start — an alert already active before is not this fault's doing —
 * and be firing within `within` seconds of it. Waits for the samples up to that deadline.
 */
async function judgeAlert(obs: Observations, e: Extract<Expectation, { kind: 'alert-fires' }>, faultStart: number, result: Judged): Promise<ExpectationResult> {
  // Rules are evaluated on Prometheus's clock on this same machine; one second absorbs rounding.
  const since = faultStart - 1;
  const matching = matchesAlert(e);
  const firing = () => {
    for (const sample of obs.alerts) {
      const hit = sample.alerts.find((a) => matching(a) && a.state === 'firing' && a.activeAt >= since);
      if (hit) return { at: sample.at, alert: hit };
    }
    return undefined;
  };
  const deadline = faultStart + e.within;
  await waitFor(Math.max(0, deadline - Date.now() / 1000), async () => (firing() ? 1 : null));
  const hit = firing();
  const threshold = `firing ≤ ${e.within} s after the fault`;
  if (hit)
    return result(
      hit.at - faultStart,
      hit.at - faultStart <= e.within,
      threshold,
      's',
      `${alertKey(hit.alert)} pending after ${fmt(hit.alert.activeAt - faultStart, 1)} s, firing after ${fmt(hit.at - faultStart, 1)} s`,
    );
  const gap = samplingGap(obs.alerts, faultStart, Math.min(deadline, Date.now() / 1000));
  if (gap > MAX_SAMPLE_GAP_SEC) return result(null, false, threshold, 's', gapDetail(gap));
  // Only what was still active once the fault had started: an earlier episode that resolved before it is no excuse.
  const seen = obs.alerts.filter((s) => s.at >= faultStart).flatMap((s) => s.alerts.filter(matching));
  const before = seen.find((a) => a.activeAt < since);
  const pending = seen.find((a) => a.activeAt >= since);
  const detail = before
    ? `${alertKey(before)} was already active ${fmt(faultStart - before.activeAt, 0)} s before the fault: not this fault's doing`
    : pending
      ? `${alertKey(pending)} was pending from ${fmt(pending.activeAt - faultStart, 1)} s but never firing`
      : `${e.alert} never became active (not even pending)`;
  return result(null, false, threshold, 's', detail);
}

/**
 * No page: the alert does not fire from the phase's start until it is judged. An alert that became
 * active before the load is an earlier run's and does not count. One the phase made pending may
 * still fire (its `for`): judging waits, bounded, until it fires or resolves.
 */
async function judgeQuiet(obs: Observations, e: Extract<Expectation, { kind: 'alert-quiet' }>, from: number, result: Judged): Promise<ExpectationResult> {
  const matching = matchesAlert(e);
  const ours = (a: ActiveAlert) => matching(a) && a.activeAt >= obs.loadStart - 1;
  const fired = () =>
    obs.alerts.filter((s) => s.at >= from).flatMap((s) => s.alerts.filter((a) => ours(a) && a.state === 'firing').map((a) => ({ at: s.at, a })));
  const pendingNow = () => (obs.alerts.at(-1)?.alerts ?? []).filter((a) => ours(a) && a.state === 'pending');
  const waitUntil = Date.now() / 1000 + PENDING_WAIT_SEC;
  while (fired().length === 0 && pendingNow().length > 0 && Date.now() / 1000 < waitUntil) await sleep(1000);
  const hits = fired();
  const first = hits[0];
  if (first)
    return result(
      new Set(hits.map((h) => alertKey(h.a))).size,
      false,
      '0 firing',
      'alerts',
      `${alertKey(first.a)} firing ${fmt(first.at - obs.loadStart, 1)} s into the load`,
    );
  const gap = samplingGap(obs.alerts, from, Date.now() / 1000);
  if (gap > MAX_SAMPLE_GAP_SEC) return result(null, false, '0 firing', 'alerts', gapDetail(gap));
  const stillPending = pendingNow()[0];
  if (stillPending)
    return result(null, false, '0 firing', 'alerts', `${alertKey(stillPending)} still pending after ${PENDING_WAIT_SEC} s more: cannot tell yet`);
  return result(0, true, '0 firing', 'alerts');
}
