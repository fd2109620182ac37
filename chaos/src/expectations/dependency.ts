import { promScalar } from '@faultline/lab';
import { type Judge, promWindow } from './context.js';

const labels = (e: { service: string; dependency: string }) => `application="${e.service}",name="${e.dependency}"`;

/** Attempts per call to the dependency in the window: at most `max` (bounded), at least `min` (retries happened). */
export const retryAmplification: Judge<'retry-amplification'> = async (e, { obs, from, to, result }) => {
  const attempts = await promScalar(obs.cfg, ...promWindow(`sum(increase(resilience4j_circuitbreaker_calls_seconds_count{${labels(e)}}$range))`, from, to));
  const calls = await promScalar(obs.cfg, ...promWindow(`sum(increase(resilience4j_retry_calls_total{${labels(e)}}$range))`, from, to));
  const measured = attempts !== null && calls ? attempts / calls : null;
  const threshold = [e.min !== undefined ? `≥ ${e.min}` : '', `≤ ${e.max}`].filter(Boolean).join(' and ');
  return result(
    measured,
    measured !== null && measured <= e.max && (e.min === undefined || measured >= e.min),
    `${threshold} calls/request`,
    'calls/request',
    measured === null ? 'no calls to the dependency in the window' : undefined,
  );
};

type Percentile = `p${number}`;
type DependencyJudgeContext = Parameters<Judge<'attempt-duration'>>[1];

/** A percentile, in ms, of one of the caller's own histograms of a dependency over the window; null when it recorded nothing. */
async function histogramMs(metric: string, e: { service: string; dependency: string; percentile: Percentile }, { obs, from, to }: DependencyJudgeContext) {
  const q = Number(e.percentile.slice(1)) / 100;
  const seconds = await promScalar(obs.cfg, ...promWindow(`histogram_quantile(${q}, sum by (le) (increase(${metric}_bucket{${labels(e)}}$range)))`, from, to));
  return seconds === null || Number.isNaN(seconds) ? null : seconds * 1000;
}

/**
 * A low percentile of the waits between a failed attempt and the next one (measured around the
 * retry by the caller) is at least `minMs`: retries back off instead of hammering a failing dependency.
 */
export const retrySpacing: Judge<'retry-spacing'> = async (e, context) => {
  const measured = await histogramMs('dependency_retry_wait_seconds', e, context);
  const detail = measured === null ? `no retries to ${e.dependency} in the window` : undefined;
  return context.result(measured, measured !== null && measured >= e.minMs, `${e.percentile} ≥ ${e.minMs} ms`, 'ms', detail);
};

/** A percentile of the caller's own attempt durations (timed outside the time limiter) stays under `maxMs`. */
export const attemptDuration: Judge<'attempt-duration'> = async (e, context) => {
  const measured = await histogramMs('resilience4j_circuitbreaker_calls_seconds', e, context);
  const detail = measured === null ? `no attempts to ${e.dependency} in the window` : undefined;
  return context.result(measured, measured !== null && measured <= e.maxMs, `${e.percentile} ≤ ${e.maxMs} ms`, 'ms', detail);
};

/** The attempts under way to the dependency, sampled each second, never exceed `max`. */
export const maxInFlight: Judge<'max-in-flight'> = (e, { obs, from, to, result }) => {
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
};
