import type { ExpectationResult, Journal } from '../journal.js';

/** A number the way a person reads it: no float noise, a precision that fits its size. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(3)));
}

/** Measured value with its unit (`4.2 s`, `92.5 %`), or `—` when nothing was measured. */
export function formatMeasured(expectation: Pick<ExpectationResult, 'measured' | 'unit'>): string {
  if (expectation.measured === null) return '—';
  const value = formatNumber(expectation.measured);
  return expectation.unit ? `${value} ${expectation.unit}` : value;
}

/** Wall-clock seconds of the run, 0 when the timestamps are missing or invalid. */
export function runSeconds(journal: Pick<Journal, 'startedAt' | 'endedAt'>): number {
  const seconds = (Date.parse(journal.endedAt) - Date.parse(journal.startedAt)) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
}

/** What made the run stop early, for aborted and errored runs. */
export function stopReason(journal: Journal): string | undefined {
  if (journal.verdict === 'aborted') return journal.abortReason ?? 'aborted (no reason recorded)';
  if (journal.verdict === 'error') return journal.error ?? 'error (no message recorded)';
  return undefined;
}

/**
 * In a run that stopped early, an expectation that failed without a measurement was never
 * judged: the reports show it as skipped rather than as one more failure.
 */
export function notJudged(journal: Journal, expectation: ExpectationResult): boolean {
  return (journal.verdict === 'aborted' || journal.verdict === 'error') && !expectation.passed && expectation.measured === null;
}

/** The file stem for a run's reports: the experiment, plus `.policies-off` so both modes can sit side by side. */
export function reportStem(journal: Pick<Journal, 'experiment' | 'policies' | 'knockout'>): string {
  const clean = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^\.+/, '');
  const safe = clean(journal.experiment) || 'experiment';
  if (journal.knockout) return `${safe}.knockout-${clean(journal.knockout)}`;
  return journal.policies === 'off' ? `${safe}.policies-off` : safe;
}
