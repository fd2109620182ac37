/** One measured step: an offered arrival rate and whether the shop sustained it. */
export interface StepOutcome {
  rate: number;
  sustained: boolean;
}

export interface StepSearchOptions {
  /** The first rate tried. */
  startRate: number;
  /** Factor the rate grows by while every step is sustained (and shrinks by while none is). */
  growth: number;
  /** Stop once the bracket is this tight: (failed − sustained) / sustained ≤ precision. */
  precision: number;
  /** At most this many steps. */
  maxSteps: number;
  /** Never offer more than this. */
  maxRate: number;
  /** Never offer less than this. */
  minRate: number;
}

/** The highest sustained rate and the lowest failed rate above it (what the search brackets). */
export function bracket(steps: readonly StepOutcome[]): { sustained: number | undefined; failed: number | undefined } {
  const sustained = Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.rate)) || undefined;
  // A failure below a sustained rate is noise (a hiccup of a shared machine): the bracket ignores it.
  const above = steps.filter((s) => !s.sustained && s.rate > (sustained ?? 0)).map((s) => s.rate);
  return { sustained, failed: above.length ? Math.min(...above) : undefined };
}

/**
 * The next arrival rate to try, or `undefined` when the search is done: grow geometrically until a
 * step fails (shrink while none passes), then bisect between the highest sustained rate and the
 * lowest failed one until the bracket is within `precision`. Rates are whole iterations per second.
 */
export function nextRate(steps: readonly StepOutcome[], options: StepSearchOptions): number | undefined {
  if (steps.length === 0) return Math.min(options.maxRate, Math.max(options.minRate, Math.round(options.startRate)));
  if (steps.length >= options.maxSteps) return undefined;
  const { sustained, failed } = bracket(steps);
  const tried = new Set(steps.map((s) => s.rate));
  let next: number;
  if (sustained === undefined) {
    next = Math.max(options.minRate, Math.floor((failed ?? options.startRate) / options.growth));
  } else if (failed === undefined) {
    if (sustained >= options.maxRate) return undefined;
    next = Math.min(options.maxRate, Math.max(sustained + 1, Math.round(sustained * options.growth)));
  } else {
    if ((failed - sustained) / sustained <= options.precision) return undefined;
    next = Math.round((sustained + failed) / 2);
  }
  return tried.has(next) ? undefined : next;
}

/** The capacity a finished search found: its highest sustained rate (0 when none was). */
export const capacityOf = (steps: readonly StepOutcome[]) => bracket(steps).sustained ?? 0;
