/**
 * Which way is worse for an expectation, read from its threshold as the runner writes it
 * (`≤ 2 s`, `≥ 80 %`, `== 0`; `<=`, `<`, `>=`, `>` work too):
 * - `lower-is-better` for ≤ (latency, error rate, amplification, time to open): higher is worse;
 * - `higher-is-better` for ≥ (fallback percent): lower is worse;
 * - `target` for == : farther from the value is worse;
 * - `unknown` when the threshold cannot be read: only a pass → fail flip counts.
 */
export type Direction = 'lower-is-better' | 'higher-is-better' | 'target' | 'unknown';

export interface ParsedThreshold {
  direction: Direction;
  /** The threshold's number (`2` in `≤ 2 s`), or null when there is none. */
  value: number | null;
}

const OPERATORS: [string, Direction][] = [
  ['≤', 'lower-is-better'],
  ['<=', 'lower-is-better'],
  ['<', 'lower-is-better'],
  ['≥', 'higher-is-better'],
  ['>=', 'higher-is-better'],
  ['>', 'higher-is-better'],
  ['==', 'target'],
  ['=', 'target'],
];

/** Reads the direction and the number of a threshold string. */
export function parseThreshold(threshold: string): ParsedThreshold {
  const text = threshold.trim();
  const operator = OPERATORS.find(([op]) => text.startsWith(op));
  if (!operator) return { direction: 'unknown', value: null };
  const number = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?/i.exec(text.slice(operator[0].length).trim());
  return { direction: operator[1], value: number ? Number(number[0]) : null };
}

/**
 * How much worse `now` is than `baseline` in the threshold's direction (positive = worse),
 * or null when the direction is unknown.
 */
export function worsening(parsed: ParsedThreshold, baseline: number, now: number): number | null {
  switch (parsed.direction) {
    case 'lower-is-better':
      return now - baseline;
    case 'higher-is-better':
      return baseline - now;
    case 'target':
      return parsed.value === null ? null : Math.abs(now - parsed.value) - Math.abs(baseline - parsed.value);
    default:
      return null;
  }
}
