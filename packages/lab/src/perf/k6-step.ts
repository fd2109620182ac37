/** The part of k6's end-of-test summary (SUMMARY_JSON) a benchmark step reads. */
export interface K6Summary {
  metrics: Record<string, { values: Record<string, number> } | undefined>;
}

/** What one step of offered load got. */
export interface StepFigures {
  /** Iterations per second offered. */
  offered: number;
  /** Iterations per second that ran (k6 drops what it has no free virtual user for). */
  achieved: number;
  iterations: number;
  dropped: number;
  /** Orders placed (`place order` requests). */
  checkouts: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** Failed requests or failed checks, whichever is more (a 200 with the wrong body is an error too). */
  errorRate: number;
}

export interface StepLimits {
  p99Ms: number;
  /** Errors must stay below this rate. */
  errorRate: number;
  /** Share of offered iterations k6 may drop (the shop too slow to keep virtual users free). */
  droppedShare: number;
}

/** The bar: p99 ≤ 500 ms, < 0.1 % errors, (almost) every offered iteration run. */
export const CAPACITY_LIMITS: StepLimits = { p99Ms: 500, errorRate: 0.001, droppedShare: 0.01 };

const value = (summary: K6Summary, metric: string, stat: string) => summary.metrics[metric]?.values[stat] ?? 0;

/** A step's figures from its k6 summary. */
export function stepFigures(summary: K6Summary, offered: number, durationSec: number): StepFigures {
  const iterations = value(summary, 'iterations', 'count');
  return {
    offered,
    achieved: iterations / durationSec,
    iterations,
    dropped: value(summary, 'dropped_iterations', 'count'),
    checkouts: value(summary, 'http_reqs{name:place order}', 'count'),
    requests: value(summary, 'http_reqs', 'count'),
    p50Ms: value(summary, 'http_req_duration', 'p(50)'),
    p99Ms: value(summary, 'http_req_duration', 'p(99)'),
    errorRate: Math.max(value(summary, 'http_req_failed', 'rate'), summary.metrics.checks ? 1 - value(summary, 'checks', 'rate') : 0),
  };
}

/** Whether the step was sustained, and if not every reason why. */
export function judgeStep(figures: StepFigures, limits: StepLimits = CAPACITY_LIMITS): { sustained: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (figures.requests === 0) reasons.push('no request was made');
  if (figures.p99Ms > limits.p99Ms) reasons.push(`p99 ${figures.p99Ms.toFixed(0)} ms > ${limits.p99Ms} ms`);
  if (figures.errorRate >= limits.errorRate) reasons.push(`errors ${(figures.errorRate * 100).toFixed(2)} % ≥ ${(limits.errorRate * 100).toFixed(1)} %`);
  const offeredCount = figures.iterations + figures.dropped;
  if (offeredCount > 0 && figures.dropped / offeredCount > limits.droppedShare) reasons.push(`${figures.dropped} iterations dropped (no free virtual user)`);
  return { sustained: reasons.length === 0, reasons };
}
