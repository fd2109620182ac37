import { setTimeout as sleep } from 'node:timers/promises';
import { type ActiveAlert, alertKey, matchesAlert } from '@faultline/lab';
import type { ExpectationResult } from '../journal.js';
import type { Expectation } from '../schema.js';
import { fmt, type Judged, type Observations, waitFor } from './context.js';

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
export async function judgeAlert(
  obs: Observations,
  e: Extract<Expectation, { kind: 'alert-fires' }>,
  faultStart: number,
  result: Judged,
): Promise<ExpectationResult> {
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
export async function judgeQuiet(
  obs: Observations,
  e: Extract<Expectation, { kind: 'alert-quiet' }>,
  from: number,
  result: Judged,
): Promise<ExpectationResult> {
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
