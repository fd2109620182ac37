import { LATENCY_BUCKETS, type Metrics, perRegistry, prom } from '../metrics.js';

type Registry = Metrics['registry'];

/** Breaker states as resilience4j names them; `disabled` is mode `off`. */
export const BREAKER_STATES = ['closed', 'open', 'half_open', 'forced_open', 'disabled'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

/** Outcome of one call as seen by the breaker; `ignored` answers (4xx) do not count against it. */
export type CallKind = 'successful' | 'failed' | 'ignored';
export type RetryKind = 'successful_without_retry' | 'successful_with_retry' | 'failed_with_retry' | 'failed_without_retry';
export type TimeLimiterKind = 'successful' | 'failed' | 'timeout';
const CALL_KINDS: readonly CallKind[] = ['successful', 'failed', 'ignored'];
const RETRY_KINDS: readonly RetryKind[] = ['successful_without_retry', 'successful_with_retry', 'failed_with_retry', 'failed_without_retry'];
/**
 * The request buckets, finer just above the default per-attempt timeout (2 s): an attempt cut at
 * 2.0 s and one cut at 2.3 s fall in different buckets, so a raised timeout shows in a percentile.
 */
const ATTEMPT_BUCKETS = [...LATENCY_BUCKETS, 2.1, 2.25].sort((a, b) => a - b);

/** Fine below 100 ms, where a retry without backoff would land. */
const RETRY_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const TIME_LIMITER_KINDS: readonly TimeLimiterKind[] = ['successful', 'failed', 'timeout'];

/**
 * One dependency's series, looked up once when its policy is built: a call then updates them
 * without building label objects or timer closures (what the per-call cost was mostly made of).
 */
export interface DependencyMetrics {
  /** Attempts under way now. */
  readonly inFlight: prom.Gauge.Internal<'name'>;
  /** The breaker's calls histogram by outcome; observe seconds. */
  readonly calls: Readonly<Record<CallKind, prom.Histogram.Internal<'name' | 'kind'>>>;
  readonly retry: Readonly<Record<RetryKind, prom.Counter.Internal>>;
  readonly timeLimiter: Readonly<Record<TimeLimiterKind, prom.Counter.Internal>>;
  readonly notPermitted: prom.Counter.Internal;
  /** Seconds between a failed attempt's end and the retry's start. */
  readonly retryWait: prom.Histogram.Internal<'name'>;
  readonly bulkheadRejected: prom.Counter.Internal;
}

/** The resilience4j-named metrics of one registry, shared by every dependency policy in it. */
export interface ResilienceMetrics {
  readonly breakerState: prom.Gauge<'name' | 'state'>;
  readonly breakerCalls: prom.Histogram<'name' | 'kind'>;
  readonly notPermittedCalls: prom.Counter<'name'>;
  readonly bulkheadAvailable: prom.Gauge<'name'>;
  readonly bulkheadMax: prom.Gauge<'name'>;
  /** Calls the full bulkhead (every slot and the queue taken) turned away at once. */
  readonly bulkheadRejected: prom.Counter<'name'>;
  readonly retryCalls: prom.Counter<'name' | 'kind'>;
  readonly timeLimiterCalls: prom.Counter<'name' | 'kind'>;
  /** Attempts under way now, counted outside every policy: what a bulkhead bounds, measured independently of it. */
  readonly callsInFlight: prom.Gauge<'name'>;
  /**
   * Time from a failed attempt's end to the next attempt's start: the backoff as the dependency saw
   * it, measured around the retry rather than read from its settings.
   */
  readonly retryWait: prom.Histogram<'name'>;
  /** Set the state gauge: 1 for `state`, 0 for the others. */
  setBreakerState(name: string, state: BreakerState): void;
  /** Read a bulkhead's free slots at every scrape. */
  trackBulkhead(name: string, maxConcurrent: number, available: () => number): void;
  /**
   * Export every outcome of a dependency at 0 from the start, so that "no timeouts yet" is a 0 on
   * the dashboards and in `rate()`, not an absent series that looks like a broken query.
   */
  initialise(name: string): void;
  /** The series of dependency `name` (creates none: a series appears at its first update or {@link initialise}). */
  dependency(name: string): DependencyMetrics;
}

const byKind = <K extends string, V>(kinds: readonly K[], child: (kind: K) => V): Record<K, V> =>
  Object.fromEntries(kinds.map((kind) => [kind, child(kind)])) as Record<K, V>;

/** The resilience metrics registered in `registry`, created on first use (names may exist once per registry). */
export const resilienceMetrics = perRegistry((registry: Registry): ResilienceMetrics => {
  const registers = [registry];
  const bulkheads = new Map<string, () => number>();
  const breakerState = new prom.Gauge({
    name: 'resilience4j_circuitbreaker_state',
    help: 'The state of the circuit breaker: 1 for the current state, 0 for the others',
    labelNames: ['name', 'state'] as const,
    registers,
  });
  // Counter names are given without `_total`: prom-client appends it to the samples itself.
  const metrics: ResilienceMetrics = {
    breakerState,
    breakerCalls: new prom.Histogram({
      name: 'resilience4j_circuitbreaker_calls_seconds',
      help: 'Duration of the calls the circuit breaker let through, by outcome',
      labelNames: ['name', 'kind'] as const,
      buckets: ATTEMPT_BUCKETS,
      registers,
    }),
    notPermittedCalls: new prom.Counter({
      name: 'resilience4j_circuitbreaker_not_permitted_calls',
      help: 'Calls rejected because the circuit was open',
      labelNames: ['name'] as const,
      registers,
    }),
    bulkheadAvailable: new prom.Gauge({
      name: 'resilience4j_bulkhead_available_concurrent_calls',
      help: 'Free concurrent call slots of the bulkhead',
      labelNames: ['name'] as const,
      registers,
      collect() {
        for (const [name, available] of bulkheads) this.set({ name }, available());
      },
    }),
    bulkheadMax: new prom.Gauge({
      name: 'resilience4j_bulkhead_max_allowed_concurrent_calls',
      help: 'Concurrent calls the bulkhead allows',
      labelNames: ['name'] as const,
      registers,
    }),
    bulkheadRejected: new prom.Counter({
      name: 'dependency_bulkhead_rejected_calls',
      help: 'Calls the full bulkhead turned away at once (every slot and its queue taken)',
      labelNames: ['name'] as const,
      registers,
    }),
    retryCalls: new prom.Counter({
      name: 'resilience4j_retry_calls',
      help: 'Calls through the retry policy, by outcome and whether they were retried',
      labelNames: ['name', 'kind'] as const,
      registers,
    }),
    timeLimiterCalls: new prom.Counter({
      name: 'resilience4j_timelimiter_calls',
      help: 'Attempts through the time limiter, by outcome',
      labelNames: ['name', 'kind'] as const,
      registers,
    }),
    callsInFlight: new prom.Gauge({
      name: 'dependency_calls_in_flight',
      help: 'Attempts to the dependency under way now (inside the bulkhead), in both resilience modes',
      labelNames: ['name'] as const,
      registers,
    }),
    retryWait: new prom.Histogram({
      name: 'dependency_retry_wait_seconds',
      help: "Time between a failed attempt's end and the next attempt's start (the retry's backoff, measured)",
      labelNames: ['name'] as const,
      buckets: RETRY_WAIT_BUCKETS,
      registers,
    }),
    setBreakerState(name, state) {
      for (const s of BREAKER_STATES) breakerState.set({ name, state: s }, s === state ? 1 : 0);
    },
    initialise(name) {
      for (const kind of CALL_KINDS) metrics.breakerCalls.zero({ name, kind });
      for (const kind of RETRY_KINDS) metrics.retryCalls.inc({ name, kind }, 0);
      for (const kind of TIME_LIMITER_KINDS) metrics.timeLimiterCalls.inc({ name, kind }, 0);
      metrics.notPermittedCalls.inc({ name }, 0);
      metrics.bulkheadRejected.inc({ name }, 0);
      metrics.callsInFlight.inc({ name }, 0);
      metrics.retryWait.zero({ name });
    },
    dependency(name) {
      return {
        inFlight: metrics.callsInFlight.labels(name),
        calls: byKind(CALL_KINDS, (kind) => metrics.breakerCalls.labels(name, kind)),
        retry: byKind(RETRY_KINDS, (kind) => metrics.retryCalls.labels(name, kind)),
        timeLimiter: byKind(TIME_LIMITER_KINDS, (kind) => metrics.timeLimiterCalls.labels(name, kind)),
        notPermitted: metrics.notPermittedCalls.labels(name),
        retryWait: metrics.retryWait.labels(name),
        bulkheadRejected: metrics.bulkheadRejected.labels(name),
      };
    },
    trackBulkhead(name, maxConcurrent, available) {
      bulkheads.set(name, available);
      metrics.bulkheadMax.set({ name }, maxConcurrent);
    },
  };
  return metrics;
});
