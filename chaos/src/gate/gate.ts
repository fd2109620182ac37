import type { ExpectationResult, Journal } from '../journal.js';
import { formatMeasured, formatNumber } from '../report/format.js';
import type { Baseline, BaselineRun, Tolerance, ToleranceOverride } from './baseline.js';
import { parseThreshold, worsening } from './threshold.js';

// The gate's whole API from one module: the baseline file lives in baseline.ts.
export { type Baseline, BaselineError, baselineFromJournals, DEFAULT_TOLERANCE, parseBaseline, readBaseline } from './baseline.js';

/** Why the gate fails a run. */
export type RegressionKind = 'missing-experiment' | 'run-stopped' | 'missing-check' | 'now-failing' | 'worse';

/** One reason to fail the gate, named down to the mechanism. */
export interface Regression {
  kind: RegressionKind;
  experiment: string;
  policies: 'on' | 'off';
  /** Expectation id or steady-state probe name; absent for a whole-run regression. */
  expectation?: string;
  /** breaker, retry, fallback, … (`steady-state` for a probe); absent for a whole-run regression. */
  mechanism?: string;
  /** What the baseline recorded and what this run shows, for people (`4.2 s (passed)`). */
  baseline: string;
  now: string;
  reason: string;
}

/**
 * Compares runs with a baseline. A regression is: a baselined experiment that did not run (with the
 * same policies); a run that aborted or errored where the baseline did not; a baselined expectation
 * or probe that is gone; one that passed in the baseline and now fails (always); or a measured value
 * worse than the baseline by more than the tolerance, "worse" following the threshold (≤: higher is
 * worse, ≥: lower is worse, ==: farther is worse). Runs and checks the baseline lacks are not judged.
 */
export function compareWithBaseline(journals: Journal[], baseline: Baseline): Regression[] {
  return baseline.runs.flatMap((run) => {
    const journal = journals.find((j) => j.experiment === run.experiment && j.policies === run.policies);
    return journal ? compareRun(run, journal, baseline.tolerance) : [missingRun(run, journals)];
  });
}

/** One line per regression, for the terminal and the CI log. */
export function formatRegression(r: Regression): string {
  const where = r.expectation ? `${r.experiment} › ${r.mechanism}: ${r.expectation}` : r.experiment;
  return `${where} (policies ${r.policies}): ${r.reason} — baseline ${r.baseline}, now ${r.now}`;
}

function missingRun(run: BaselineRun, journals: Journal[]): Regression {
  const other = journals.find((j) => j.experiment === run.experiment);
  const reason = other ? `ran only with policies ${other.policies}` : 'the experiment did not run';
  return { kind: 'missing-experiment', experiment: run.experiment, policies: run.policies, baseline: run.verdict, now: 'not run', reason };
}

function compareRun(run: BaselineRun, journal: Journal, tolerance: Tolerance): Regression[] {
  const base = { experiment: run.experiment, policies: run.policies };
  const regressions: Regression[] = [];
  const stopped = (v: string) => v === 'aborted' || v === 'error';
  if (stopped(journal.verdict) && !stopped(run.verdict)) {
    const reason = `the run ${journal.verdict === 'aborted' ? 'aborted' : 'errored'}: ${journal.abortReason ?? journal.error ?? 'no reason recorded'}`;
    regressions.push({ ...base, kind: 'run-stopped', baseline: run.verdict, now: journal.verdict, reason });
  }
  for (const [probe, passed] of Object.entries(run.probes)) {
    const now = journal.steadyState.find((p) => p.probe === probe);
    const check = { ...base, expectation: probe, mechanism: 'steady-state', baseline: passed ? 'passed' : 'failed' };
    if (!now) regressions.push({ ...check, kind: 'missing-check', now: 'not probed', reason: 'the steady-state probe is gone' });
    else if (passed && !now.passed)
      regressions.push({
        ...check,
        kind: 'now-failing',
        now: `failed (${now.measured})`,
        reason: 'the steady-state probe passed in the baseline and now fails',
      });
  }
  for (const [id, was] of Object.entries(run.expectations)) {
    const now = journal.expectations.find((e) => e.id === id);
    const check = { ...base, expectation: id, mechanism: now?.mechanism ?? was.mechanism, baseline: describe(was) };
    if (!now) {
      regressions.push({ ...check, kind: 'missing-check', now: 'not judged', reason: 'the expectation is gone from the run' });
      continue;
    }
    if (was.passed && !now.passed) {
      regressions.push({ ...check, kind: 'now-failing', now: describe(now), reason: `passed in the baseline, now fails its threshold ${now.threshold}` });
      continue;
    }
    const worse = worseBeyondTolerance(was, now, tolerance);
    if (worse) regressions.push({ ...check, kind: 'worse', now: describe(now), reason: worse });
  }
  return regressions;
}

function describe(e: Pick<ExpectationResult, 'measured' | 'unit' | 'passed'>): string {
  return `${formatMeasured(e)} (${e.passed ? 'passed' : 'failed'})`;
}

/** The reason when `now` is worse than the baseline beyond the tolerance, else undefined. */
function worseBeyondTolerance(was: BaselineRun['expectations'][string], now: ExpectationResult, tolerance: Tolerance): string | undefined {
  if (was.measured === null || now.measured === null) return undefined;
  const threshold = parseThreshold(now.threshold);
  const delta = worsening(threshold, was.measured, now.measured);
  if (delta === null || delta <= 0) return undefined;
  const allowed = allowedWorsening(was.measured, threshold.value, tolerance, now.mechanism, was.tolerance);
  if (delta <= allowed.amount) return undefined;
  const unit = now.unit ? ` ${now.unit}` : '';
  const way = threshold.direction === 'higher-is-better' ? 'lower' : threshold.direction === 'target' ? 'farther from the target' : 'higher';
  return `${formatNumber(delta)}${unit} ${way} than the baseline (threshold ${now.threshold}); the tolerance allows ${formatNumber(allowed.amount)}${unit} (${allowed.rule})`;
}

/** `max(relative × |baseline|, floor)`, the most specific setting winning (expectation, mechanism, default). */
export function allowedWorsening(
  baseline: number,
  thresholdValue: number | null,
  tolerance: Tolerance,
  mechanism: string,
  override?: ToleranceOverride,
): { amount: number; rule: string } {
  const forMechanism = Object.hasOwn(tolerance.mechanisms, mechanism) ? tolerance.mechanisms[mechanism] : undefined;
  const relative = override?.relative ?? forMechanism?.relative ?? tolerance.relative;
  const absolute = override?.absolute ?? forMechanism?.absolute;
  const floor = absolute ?? tolerance.thresholdFraction * Math.abs(thresholdValue ?? 0);
  const byRelative = relative * Math.abs(baseline);
  return byRelative >= floor
    ? { amount: byRelative, rule: `${formatNumber(relative * 100)} % of the baseline` }
    : { amount: floor, rule: absolute === undefined ? `floor: ${formatNumber(tolerance.thresholdFraction * 100)} % of the threshold` : 'absolute floor' };
}
