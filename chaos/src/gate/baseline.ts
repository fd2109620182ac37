import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Journal } from '../journal.js';

const toleranceOverride = z
  .object({
    /** Allowed worsening as a fraction of the baseline value (0.25 = 25 %). */
    relative: z.number().min(0).optional(),
    /** Allowed worsening in the expectation's own unit; replaces the threshold-derived floor. */
    absolute: z.number().min(0).optional(),
  })
  .strict();

const tolerance = z
  .object({
    relative: z.number().min(0).default(0.25),
    /** Floor of the allowed worsening, as a fraction of the threshold's number (0.1 × `≤ 2 s` = 0.2 s), so tiny values don't flap. */
    thresholdFraction: z.number().min(0).default(0.1),
    /** Per mechanism (breaker, retry, fallback, latency, errors, …). */
    mechanisms: z.record(z.string(), toleranceOverride).default({}),
  })
  .strict();

/** Starting tolerances: error rates are noisy at low values, so they may double before the gate objects. */
export const DEFAULT_TOLERANCE: z.infer<typeof tolerance> = { relative: 0.25, thresholdFraction: 0.1, mechanisms: { errors: { relative: 1 } } };

const expectation = z
  .object({
    mechanism: z.string().min(1),
    phase: z.string(),
    passed: z.boolean(),
    measured: z.number().nullable(),
    unit: z.string(),
    threshold: z.string(),
    /** Overrides the mechanism's and the default tolerance for this expectation only. */
    tolerance: toleranceOverride.optional(),
  })
  .strict();

const run = z
  .object({
    experiment: z.string().min(1),
    policies: z.enum(['on', 'off']),
    /** The experiment's time scale in the gate (`--scale`): shorter load and faults, the same judgements. */
    scale: z.number().gt(0).max(1).default(1),
    verdict: z.enum(['passed', 'failed', 'aborted', 'error']),
    startedAt: z.string(),
    /** Steady-state probe → passed. */
    probes: z.record(z.string(), z.boolean()).default({}),
    /** Expectation id → what it measured. */
    expectations: z.record(z.string(), expectation),
  })
  .strict();

/**
 * The CI gate's baseline (`chaos/baseline.json`), version 1:
 *
 * ```json
 * { "version": 1,
 *   "tolerance": { "relative": 0.25, "thresholdFraction": 0.1, "mechanisms": { "errors": { "relative": 1 } } },
 *   "runs": [{ "experiment": "payment-latency", "policies": "on", "verdict": "passed", "startedAt": "…",
 *              "probes": { "gateway-ready": true },
 *              "expectations": { "breaker-opens": { "mechanism": "breaker", "phase": "during", "passed": true,
 *                                "measured": 4.2, "unit": "s", "threshold": "≤ 5 s" } } }] }
 * ```
 *
 * A run is identified by experiment and policies. The allowed worsening of an expectation is
 * `max(relative × |baseline measured|, floor)`, where `relative` and the floor (`absolute`) come
 * from the expectation's `tolerance`, else `tolerance.mechanisms[mechanism]`, else the defaults;
 * the default floor is `thresholdFraction × |threshold number|`. `unit`, `threshold` and
 * `verdict` are informative; the threshold's direction is read from the current run.
 */
export const baselineSchema = z
  .object({ version: z.literal(1), createdAt: z.string().optional(), tolerance: tolerance.default(DEFAULT_TOLERANCE), runs: z.array(run) })
  .strict()
  .superRefine((baseline, ctx) => {
    const seen = new Set<string>();
    baseline.runs.forEach((r, i) => {
      const key = `${r.experiment}/${r.policies}`;
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: ['runs', i, 'experiment'], message: `${r.experiment} with policies ${r.policies} is listed twice` });
      seen.add(key);
    });
  });

export type Baseline = z.infer<typeof baselineSchema>;
export type BaselineRun = Baseline['runs'][number];
export type Tolerance = Baseline['tolerance'];
export type ToleranceOverride = z.infer<typeof toleranceOverride>;

/** Thrown by {@link readBaseline}; `field` is the path of the first bad field (`runs[0].expectations.x.measured`). */
export class BaselineError extends Error {
  override readonly name = 'invalid-baseline';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * (Re)creates a baseline from runs. Pass the previous baseline to keep its tolerances and
 * per-expectation overrides.
 */
export function baselineFromJournals(journals: Journal[], previous?: Baseline): Baseline {
  const overrides = (j: Journal, id: string) =>
    previous?.runs.find((r) => r.experiment === j.experiment && r.policies === j.policies)?.expectations[id]?.tolerance;
  const runs = journals.map((j) => ({
    experiment: j.experiment,
    policies: j.policies,
    scale: j.scale ?? 1,
    verdict: j.verdict,
    startedAt: j.startedAt,
    probes: Object.fromEntries(j.steadyState.map((p) => [p.probe, p.passed])),
    expectations: Object.fromEntries(
      j.expectations.map((e) => {
        const tolerance = overrides(j, e.id);
        return [
          e.id,
          {
            mechanism: e.mechanism,
            phase: e.phase,
            passed: e.passed,
            measured: e.measured,
            unit: e.unit,
            threshold: e.threshold,
            ...(tolerance && { tolerance }),
          },
        ];
      }),
    ),
  }));
  return baselineSchema.parse({ version: 1, createdAt: new Date().toISOString(), tolerance: previous?.tolerance ?? DEFAULT_TOLERANCE, runs });
}

/** Validates parsed JSON as a baseline; throws a {@link BaselineError} naming the first bad field. */
export function parseBaseline(data: unknown, source = 'baseline'): Baseline {
  const result = baselineSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = fieldPath(issue?.path ?? []);
  throw new BaselineError(`${source}: ${field || '(root)'}: ${issue?.message ?? 'invalid'}`, field);
}

/** Reads and validates a baseline file. */
export async function readBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BaselineError(`cannot read the baseline ${file}: ${(error as Error).message}; create one with baselineFromJournals`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseBaseline(data, file);
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}
