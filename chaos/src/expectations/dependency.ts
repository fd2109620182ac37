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

/**
 * A low percentile of the waits between a failed attempt and the next one (measured around the
 * retry by the caller) is at least `minMs`: retries back off instead of hammering a failing dependency.
 */
export const retrySpacing: Judge<'retry-spacing'> = async (e, { obs, from, to, result }) => {
  const q = Number(e.percentile.slice(1)) / 100;
  const seconds = await promScalar(
    obs.cfg,
    ...promWindow(`histogram_quantile(${q}, sum by (le) (increase(dependency_retry_wait_seconds_bucket{${labels(e)}}$range)))`, from, to),
  );
  const measured = seconds === null || Number.isNaN(seconds) ? null : seconds * 1000;
  return result(
    measured,
    measured !== null && measured >= e.minMs,
    `${e.percentile} ≥ ${e.minMs} ms`,
    'ms',
    measured === null ? `no retries to ${e.dependency} in the window` : undefined,
  );
};

/** A percentile of the caller's own attempt durations (timed outside the time limiter) stays under `maxMs`. */
export const attemptDuration: Judge<'attempt-duration'> = async (e, { obs, from, to, result }) => {
  const q = Number(e.percentile.slice(1)) / 100;
  const seconds = await promScalar(
    obs.cfg,
    ...promWindow(`histogram_quantile(${q}, sum by (le) (increase(resilience4j_circuitbreaker_calls_seconds_bucket{${labels(e)}}$range)))`, from, to),
  );
  const measured = seconds === null || Number.isNaN(seconds) ? null : seconds * 1000;
  return result(
    measured,
    measured !== null && measured <= e.maxMs,
    `${e.percentile} ≤ ${e.maxMs} ms`,
    'ms',
    measured === null ? `no attempts to ${e.dependency} in the window` : undefined,
  );
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
