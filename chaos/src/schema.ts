import { z } from 'zod';

/**
 * The experiment file format (`chaos/experiments/*.yaml`). `npm run faultline -- chaos schema`
 * writes it as JSON Schema for editors.
 */
const seconds = z.number().min(0).max(3600);
const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case');
const service = z.enum(['user', 'product', 'order', 'payment', 'notification', 'providers']);

const toxicFault = z
  .object({
    id: name,
    edge: z.string().regex(/^[a-z]+__[a-z]+$/, 'an edge <from>__<to>, e.g. order__payment'),
    toxic: z.enum(['latency', 'timeout', 'bandwidth', 'reset_peer', 'slicer', 'slow_close', 'limit_data', 'down']),
    attributes: z.record(z.string(), z.number()).default({}),
    stream: z.enum(['upstream', 'downstream']).default('downstream'),
    toxicity: z.number().min(0).max(1).default(1),
    start: seconds,
    /** Sub-second bursts are allowed: a blip shorter than a retry window is what retries are for. */
    duration: seconds.min(0.1),
  })
  .strict();

const serviceFault = z
  .object({ id: name, service, action: z.enum(['stop', 'restart']), start: seconds, duration: seconds.min(1) })
  .strict()
  .describe('stop: the service is down for `duration`, then started again; restart: stopped and started at `start`');

export const faultSchema = z.union([toxicFault, serviceFault]);

const phase = z.enum(['before', 'during', 'after']);

const base = {
  id: name,
  /** Which phase window the expectation judges; `during`/`after` refer to `fault` (default: the first fault). */
  phase,
  fault: name.optional(),
  description: z.string().max(200).optional(),
};

const alertRef = {
  /** An alert of `dashboards/prometheus/alerts.yml`, read from Prometheus's alerts API. */
  alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an alert name such as BreakerOpenTooLong'),
  /** Labels the alert must carry to count, e.g. `{ application: payment, name: providers }`. */
  labels: z.record(z.string(), z.string()).default({}),
};

export const expectationSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('breaker-opens'), service, dependency: z.string(), within: seconds }).strict(),
  z.object({ ...base, kind: z.literal('breaker-closes'), service, dependency: z.string(), within: seconds }).strict(),
  z.object({ ...base, kind: z.literal('breaker-stays-closed'), service, dependency: z.string() }).strict(),
  z.object({ ...base, kind: z.literal('retry-amplification'), service, dependency: z.string(), max: z.number().min(1) }).strict(),
  z.object({ ...base, kind: z.literal('bulkhead-isolation'), service, route: z.string(), maxFactor: z.number().min(1) }).strict(),
  z.object({ ...base, kind: z.literal('fallback-served'), minPercent: z.number().min(0).max(100) }).strict(),
  z.object({ ...base, kind: z.literal('error-rate'), max: z.number().min(0).max(1) }).strict(),
  z.object({ ...base, kind: z.literal('latency'), percentile: z.enum(['p50', 'p95', 'p99']), maxMs: z.number().positive() }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('dead-letters'),
      queue: z.string().optional(),
      min: z.number().int().min(0).optional(),
      max: z.number().int().min(0).optional(),
    })
    .strict(),
  z.object({ ...base, kind: z.literal('sagas-terminal'), within: seconds }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('alert-fires'),
      ...alertRef,
      /** Seconds from the start of the fault until it must be firing (its `for` included). */
      within: seconds,
    })
    .strict()
    .describe('the alert becomes active after the fault starts (not before) and is firing within `within` seconds of it'),
  z
    .object({ ...base, kind: z.literal('alert-quiet'), ...alertRef })
    .strict()
    .describe('no such alert fires from the start of the phase until it is judged (one already firing before the load is not counted)'),
  z.object({ ...base, kind: z.literal('audit-clean'), within: seconds.default(30) }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('promql'),
      query: z.string().min(1),
      op: z.enum(['<', '<=', '>', '>=', '==']),
      value: z.number(),
      mechanism: z.string().default('custom'),
    })
    .strict(),
]);

const probe = z.union([
  z.object({ name, promql: z.string().min(1), op: z.enum(['<', '<=', '>', '>=', '==']), value: z.number() }).strict(),
  z.object({ name, http: z.string().startsWith('/'), service: service.optional(), status: z.number().int().default(200) }).strict(),
]);

export const experimentSchema = z
  .object({
    title: z.string().min(1).max(120),
    description: z.string().max(2000),
    tags: z.array(name).default([]),
    hypothesis: z
      .object({ probes: z.array(probe).default([]) })
      .strict()
      .default({ probes: [] }),
    load: z
      .object({
        /** Shoppers per second through the gateway. */
        rate: z.number().min(0.1).max(200).default(5),
        duration: seconds.min(5),
        checkoutRatio: z.number().int().min(1).default(2),
        cardToken: z.string().default('tok_visa'),
      })
      .strict(),
    faults: z.array(faultSchema).min(1).max(10),
    expectations: z.array(expectationSchema).min(1),
    abort: z.array(probe).default([]),
    /** Seconds to wait after the load for the system to settle before `after` expectations are judged. */
    settle: seconds.default(10),
    rollback: z.array(z.object({ restart: service }).strict()).default([]),
  })
  .strict()
  .superRefine((experiment, ctx) => {
    const ids = new Set(experiment.faults.map((f) => f.id));
    experiment.expectations.forEach((e, i) => {
      if (e.fault && !ids.has(e.fault)) ctx.addIssue({ code: 'custom', path: ['expectations', i, 'fault'], message: `no fault with id "${e.fault}"` });
    });
    experiment.faults.forEach((f, i) => {
      if (f.start + f.duration > experiment.load.duration)
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'duration'], message: 'the fault outlasts the load' });
    });
  });

export type Experiment = z.infer<typeof experimentSchema>;
export type Fault = z.infer<typeof faultSchema>;
export type Expectation = z.infer<typeof expectationSchema>;
export type Probe = z.infer<typeof probe>;
