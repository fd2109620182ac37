import { formatRef, parseRef } from '@faultline/lab';
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

/** The events a `duplicate` fault can make up. */
const DUPLICABLE = ['user.registered', 'payment.refunded'];

const messageFault = z
  .object({
    id: name,
    /**
     * `poison`: messages that are not valid envelopes; each must end in a dead-letter queue.
     * `duplicate`: valid `user.registered` or `payment.refunded` events for made-up users (and orders), each published twice with the same message id (a redelivery).
     * `early`: valid `payment.refunded` events published before their user's `user.registered` (half a second later): the first attempt of a consumer that needs the user fails, and the message must be retried, not dropped.
     * `exhausted`: valid `payment.refunded` events for users never registered, carrying `x-retry-count: retriedAlready`: a consumer that needs the user fails once more, and with no retry left the message must be dead-lettered.
     */
    publish: z.enum(['poison', 'duplicate', 'early', 'exhausted']),
    routingKey: z.string().regex(/^[a-z]+\.[a-z-]+$/, 'a routing key such as user.registered'),
    count: z.number().int().min(1).max(1000),
    /** `exhausted` only: the retries the messages claim to have had already (the consumer's last retry: its delays' count). */
    retriedAlready: z.number().int().min(1).max(100).optional(),
    start: seconds,
    duration: seconds.min(0.1).default(1),
  })
  .strict()
  .refine((f) => f.publish !== 'duplicate' || DUPLICABLE.includes(f.routingKey), {
    message: `duplicates are ${DUPLICABLE.join(' or ')} events (the events whose payload the runner can make up)`,
    path: ['routingKey'],
  })
  .refine((f) => (f.publish !== 'early' && f.publish !== 'exhausted') || f.routingKey === 'payment.refunded', {
    message: 'early and exhausted messages are payment.refunded events (a user the consumer must know)',
    path: ['routingKey'],
  })
  .refine((f) => (f.publish === 'exhausted') === (f.retriedAlready !== undefined), {
    message: "retriedAlready is required for exhausted messages and allowed only there (the consumer's count of retry delays)",
    path: ['retriedAlready'],
  })
  .describe('messages published to the events exchange through the broker (never through a proxy)');

const cardFault = z
  .object({
    id: name,
    /** The test card some shoppers pay with during the fault, e.g. tok_processor_error (a card the processor cannot process). */
    card: z.string().regex(/^tok_[a-z_]+$/, 'a test card token such as tok_processor_error'),
    /** One checkout in `every`, at random. */
    every: z.number().int().min(1).max(1000),
    start: seconds,
    duration: seconds.min(1),
  })
  .strict()
  .describe("some shoppers' data is the fault: one checkout in `every` pays with `card` (k6 switches cards itself)");

export const faultSchema = z.union([toxicFault, serviceFault, messageFault, cardFault]);

/** A mechanism reference (`bulkhead order→product`), checked against the topology. */
export const mechanismRef = z.string().superRefine((text, ctx) => {
  try {
    parseRef(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: error instanceof Error ? `${error.message}${'hint' in error ? ` (${String(error.hint)})` : ''}` : String(error) });
  }
});

const phase = z.enum(['before', 'during', 'after']);

const base = {
  id: name,
  /** Which phase window the expectation judges; `during`/`after` refer to `fault` (default: the first fault). */
  phase,
  fault: name.optional(),
  description: z.string().max(200).optional(),
  /** The mechanism this expectation judges (one of the experiment's `verifies`); its knock-out must fail it. */
  verifies: mechanismRef.optional(),
};

const dependencyRef = { service, dependency: z.string() };

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
  z
    .object({ ...base, kind: z.literal('retry-amplification'), service, dependency: z.string(), max: z.number().min(1), min: z.number().min(1).optional() })
    .strict()
    .describe('attempts per call to the dependency in the window: at most `max` (bounded), at least `min` (the retries happened)'),
  z
    .object({
      ...base,
      kind: z.literal('retry-spacing'),
      ...dependencyRef,
      percentile: z.enum(['p5', 'p10', 'p50']).default('p5'),
      minMs: z.number().positive(),
    })
    .strict()
    .describe(
      "retries wait before they try again: the percentile of the waits between a failed attempt and the next (the caller's own histogram) is at least `minMs`",
    ),
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
  z
    .object({
      ...base,
      kind: z.literal('events-delivered'),
      /** The publisher: a service with a transactional outbox. */
      service: z.enum(['order', 'payment', 'user']),
      /** Routing keys notification turns into one message each (its reference: the event id), e.g. order.confirmed, user.registered. */
      events: z.array(z.string().regex(/^[a-z]+\.[a-z-]+$/, 'a routing key such as order.confirmed')).min(1),
      /** At least this many such events must have been written in the window: none written judges nothing. */
      min: z.number().int().min(1).default(1),
      /** Seconds after the window (and the judging start) within which every one must have reached the message sink. */
      within: seconds.default(30),
    })
    .strict()
    .describe(
      "every event of these types the service wrote to its outbox in the window reached notification and was sent (the sink has a message whose reference is the event id): an event the relay marked sent without the broker's confirm is lost, and shows here",
    ),
  z.object({ ...base, kind: z.literal('sagas-terminal'), within: seconds }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('orders-confirmed'),
      /** At least this share of the orders placed in the phase window must end confirmed… */
      minPercent: z.number().min(0).max(100),
      /** …by this many seconds after the fault's end… */
      within: seconds,
      /** …not counting those cancelled for these reasons with nothing charged (the shopper's, not the fault's: items sold out by default). */
      excuse: z.array(z.string().min(1)).default(['out-of-stock']),
    })
    .strict()
    .describe('the orders placed in the phase window end confirmed (the shop still sells): a saga that gives up too early fails it'),
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
  z
    .object({
      ...base,
      kind: z.literal('audit-clean'),
      within: seconds.default(30),
      /** Only these invariants count (default: all). */
      invariants: z.array(z.enum(['stock', 'payment', 'refund', 'ledger', 'saga'])).optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('attempt-duration'),
      ...dependencyRef,
      percentile: z.enum(['p50', 'p95', 'p99']).default('p99'),
      maxMs: z.number().positive(),
    })
    .strict()
    .describe("a slow dependency's attempts end within the per-attempt timeout: the percentile of attempt durations (the caller's own histogram)"),
  z
    .object({ ...base, kind: z.literal('max-in-flight'), ...dependencyRef, max: z.number().int().min(1) })
    .strict()
    .describe('attempts under way to the dependency, sampled each second, never exceed `max` (what a bulkhead bounds)'),
  z
    .object({
      ...base,
      kind: z.literal('recovers'),
      /** The gateway's p95 must be back within this factor of the before-phase p95 (floor 50 ms). */
      maxFactor: z.number().min(1).default(2),
      /** …and its 5xx rate at or under this. */
      maxErrorRate: z.number().min(0).max(1).default(0.01),
      /** Seconds after the last fault by which it must have recovered (and stayed so). */
      within: seconds,
    })
    .strict()
    .describe('after the last fault, latency and errors are back near the before-phase within `within` seconds and stay there'),
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

/** A service setting's name: an environment variable in capitals. */
const SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;

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
        /** One checkout in this many is a newly registered customer's (user.registered events all along the run; each costs a password hash). */
        newCustomerEvery: z.number().int().min(1).optional(),
      })
      .strict(),
    faults: z.array(faultSchema).min(1).max(20),
    expectations: z.array(expectationSchema).min(1),
    abort: z.array(probe).default([]),
    /** Seconds to wait after the load for the system to settle before `after` expectations are judged. */
    settle: seconds.default(10),
    rollback: z.array(z.object({ restart: service }).strict()).default([]),
    /** The mechanisms this experiment verifies; `chaos prove` knocks each out and expects an expectation that verifies it to fail. */
    verifies: z.array(mechanismRef).default([]),
    /**
     * Settings of single services for this run, by service: environment variables added to what the
     * lab generates (which they may not replace), e.g. a shorter hold TTL so that holds expire within
     * a short fault. The services named restart with them before the run and without them after it.
     */
    settings: z
      .partialRecord(
        service,
        z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).superRefine((values, ctx) => {
          for (const key of Object.keys(values))
            if (!SETTING_NAME.test(key))
              ctx.addIssue({ code: 'custom', path: [key], message: 'a setting is an environment variable name in capitals (RESERVATION_HOLD_TTL_SEC)' });
        }),
      )
      .default({}),
  })
  .strict()
  .superRefine((experiment, ctx) => {
    if (experiment.faults.filter((f) => 'card' in f).length > 1)
      ctx.addIssue({ code: 'custom', path: ['faults'], message: 'at most one card fault per experiment (k6 has one card switch)' });
    const seen = new Set<string>();
    experiment.expectations.forEach((e, i) => {
      if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: ['expectations', i, 'id'], message: `the id "${e.id}" is used twice` });
      seen.add(e.id);
    });
    const declared = new Set(experiment.verifies.map(canonicalRef));
    experiment.expectations.forEach((e, i) => {
      if (e.verifies && !declared.has(canonicalRef(e.verifies)))
        ctx.addIssue({ code: 'custom', path: ['expectations', i, 'verifies'], message: `"${e.verifies}" is not in the experiment's verifies list` });
    });
    experiment.verifies.forEach((v, i) => {
      if (!experiment.expectations.some((e) => verifiesOf(e) === canonicalRef(v)))
        ctx.addIssue({ code: 'custom', path: ['verifies', i], message: `no expectation verifies "${v}" (give one \`verifies: ${v}\`)` });
    });
    experiment.rollback.forEach((r, i) => {
      if (experiment.settings[r.restart])
        ctx.addIssue({ code: 'custom', path: ['rollback', i, 'restart'], message: `${r.restart} has run settings, which a restart in the run would drop` });
    });
    const ids = new Set(experiment.faults.map((f) => f.id));
    experiment.expectations.forEach((e, i) => {
      if (e.fault && !ids.has(e.fault)) ctx.addIssue({ code: 'custom', path: ['expectations', i, 'fault'], message: `no fault with id "${e.fault}"` });
    });
    experiment.faults.forEach((f, i) => {
      // A service stopped or restarted mid-run comes back as the lab starts it: its run settings would be gone.
      if ('action' in f && experiment.settings[f.service])
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'service'], message: `${f.service} has run settings, which a restart in the run would drop` });
      if (f.start + f.duration > experiment.load.duration)
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'duration'], message: 'the fault outlasts the load' });
    });
  });

export type Experiment = z.infer<typeof experimentSchema>;
export type Fault = z.infer<typeof faultSchema>;
export type MessageFault = z.infer<typeof messageFault>;
export type Expectation = z.infer<typeof expectationSchema>;
export type Probe = z.infer<typeof probe>;

/** A reference in one spelling (`->` or `→`, spaces), so that two spellings compare equal; unparsable text is kept as it is. */
export function canonicalRef(text: string): string {
  try {
    return formatRef(parseRef(text));
  } catch {
    return text;
  }
}

const DERIVED: Partial<Record<Expectation['kind'], string>> = {
  'breaker-opens': 'breaker',
  'breaker-closes': 'breaker',
  'retry-amplification': 'retry',
  'retry-spacing': 'retry',
  'attempt-duration': 'timeout',
  'max-in-flight': 'bulkhead',
};

/**
 * The mechanism an expectation verifies: its `verifies`, or — for kinds about one dependency's
 * policy — that mechanism of that dependency (`breaker-opens` of payment→providers verifies `breaker payment→providers`).
 */
export function verifiesOf(e: Expectation): string | undefined {
  if (e.verifies) return canonicalRef(e.verifies);
  const mechanism = DERIVED[e.kind];
  if (!mechanism || !('service' in e) || !('dependency' in e)) return undefined;
  return canonicalRef(`${mechanism} ${e.service}→${e.dependency}`);
}
