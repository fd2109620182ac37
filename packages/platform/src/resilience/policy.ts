import {
  bulkhead,
  CircuitState,
  CountBreaker,
  circuitBreaker,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
} from 'cockatiel';
import { errors, isAppError } from '../errors.js';
import { type Knockout, knockedOut } from '../knockout.js';
import type { Logger } from '../logging.js';
import type { Metrics } from '../metrics.js';
import { type BreakerState, type CallKind, type DependencyMetrics, resilienceMetrics } from './metrics.js';
import { type PolicySettings, type PolicySettingsInput, policySettingsSchema, type ResilienceMode } from './settings.js';
import { withTimeLimit } from './time-limit.js';

export interface DependencyPolicyOptions {
  /** The dependency (`payment`, `providers`): the metrics' `name` label and the logs' `dependency` field. */
  name: string;
  /** Validated with {@link policySettingsSchema}; missing fields take the defaults. */
  settings?: PolicySettingsInput;
  /** `off` bypasses every policy and keeps only the call metrics (the service reads `RESILIENCE_MODE`). Default `on`. */
  mode?: ResilienceMode;
  logger: Logger;
  registry: Metrics['registry'];
  /** Deadline of one whole call, every attempt and backoff included (default 30 s): a knocked-out timeout waits this long. */
  deadlineMs?: number;
  /** The service's `FAULTLINE_KNOCKOUT`: removes one mechanism of this dependency when it names it. */
  knockout?: Knockout | undefined;
}

export interface CallOptions<T> {
  /** The call may safely run twice: idempotent, or carrying an idempotency key. Default false: never retried. */
  retryable?: boolean;
  /** Cancels the whole call, every attempt and wait included. */
  signal?: AbortSignal;
  /** Value to answer with when the call fails (not for 4xx answers, which are not failures). Unused in mode `off`. */
  fallback?: (error: unknown) => T | Promise<T>;
  /**
   * True for a failure tied to this request's data that the dependency named in its answer (one
   * customer's card the processor cannot process): it is neither retried nor counted against the
   * breaker, so one poisoned request cannot trip the dependency for everyone.
   */
  isRequestFailure?: (error: unknown) => boolean;
}

/** The one shared policy of a dependency: fallback → bulkhead → retry → circuit breaker → timeout per attempt. */
export interface DependencyPolicy {
  readonly name: string;
  readonly mode: ResilienceMode;
  readonly settings: PolicySettings;
  /** The circuit breaker's current state (`disabled` in mode `off`). */
  readonly state: BreakerState;
  /**
   * The `idempotency-key` knock-out: {@link execute} passes `fn` the attempt's number (1, 2, …), and a
   * keyed call sends a new key on each retry. Otherwise `fn` gets no number.
   */
  readonly keyPerAttempt: boolean;
  /**
   * Run `fn` under the policy. `fn` gets the attempt's signal, aborted when the attempt times out: pass it to the I/O.
   * Rejects with `circuit-open`, `bulkhead-full` or `dependency-timeout` {@link AppError}s, or what `fn` threw.
   */
  execute<T>(fn: (signal: AbortSignal, attempt?: number) => Promise<T>, options?: CallOptions<T>): Promise<T>;
}

/** A 4xx answer (but 429) is the dependency working as designed: never retried, never counted against the breaker. */
export const isIgnoredFailure = (error: unknown): boolean => isAppError(error) && error.status < 500 && error.status !== 429;

// cockatiel 3.2.1's isTaskCancelledError tests for the bulkhead's marker, so test the right one here.
/** A cockatiel timeout (cancelled attempt). */
export const isTimeout = (error: unknown): boolean => error instanceof Error && 'isTaskCancelledError' in error;

/** A failure the caller tied to its own request (see {@link CallOptions.isRequestFailure}), carried past the breaker and the retry. */
class RequestFailure extends Error {
  constructor(readonly failure: unknown) {
    super(failure instanceof Error ? failure.message : String(failure));
    this.name = 'RequestFailure';
  }
}

/** The caller gave up (its signal aborted): says nothing about the dependency's health. */
const isCancellation = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/** Worth another attempt: timeouts, network failures, 429 and 5xx; never 4xx, never our own breaker or bulkhead rejections. */
export const isTransientFailure = (error: unknown): boolean =>
  !isIgnoredFailure(error) && !isBrokenCircuitError(error) && !isBulkheadRejectedError(error) && !(error instanceof RequestFailure);

/** Delay before retry number `attempt` (1-based): exponential with equal jitter, at least Retry-After, at most `maxDelayMs`. */
export function retryDelayMs(settings: PolicySettings['retry'], attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = Math.min(settings.maxDelayMs, settings.initialDelayMs * settings.exponent ** (attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.min(settings.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0)));
}

function retryBackoff(settings: PolicySettings['retry']): IBackoffFactory<IRetryBackoffContext<unknown>> {
  const next = (context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> => {
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfterSec = isAppError(error) ? error.retryAfterSec : undefined;
    return { duration: retryDelayMs(settings, context.attempt, retryAfterSec === undefined ? undefined : retryAfterSec * 1000), next };
  };
  return { next };
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'forced_open',
};

const describe = (error: unknown) => (isAppError(error) ? error.errorName : error instanceof Error ? error.message : String(error));
const callKind = (error: unknown): CallKind => (isIgnoredFailure(error) || error instanceof RequestFailure ? 'ignored' : 'failed');

/**
 * Run `run` timed into the breaker's calls histogram and counted in flight (mode `off`; mode `on`
 * does the same inside its attempt). The series are looked up once: no timer closure or label object per call.
 */
async function observed<T>(series: DependencyMetrics, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  series.inFlight.inc();
  try {
    const value = await run();
    series.calls.successful.observe((performance.now() - started) / 1000);
    return value;
  } catch (error) {
    series.calls[callKind(error)].observe((performance.now() - started) / 1000);
    throw error;
  } finally {
    series.inFlight.dec();
  }
}

/** A bulkhead that never fills: what `bulkhead` knocked out means. */
const UNBOUNDED = 1_000_000;

/** The settings with the knocked-out mechanism (if it is one of this dependency's) removed. */
function withoutKnockedOut(settings: PolicySettings, name: string, knockout: Knockout | undefined, deadlineMs: number): PolicySettings {
  if (knockedOut(knockout, 'timeout', name)) return { ...settings, timeoutMs: deadlineMs };
  if (knockedOut(knockout, 'retry', name)) return { ...settings, retry: { ...settings.retry, maxAttempts: 1 } };
  if (knockedOut(knockout, 'bulkhead', name)) return { ...settings, bulkhead: { maxConcurrent: UNBOUNDED, maxQueue: 0 } };
  return settings;
}

/** Build a dependency's policy once, at service start, and share it across all calls to that dependency. */
export function createDependencyPolicy(options: DependencyPolicyOptions): DependencyPolicy {
  const { name, logger } = options;
  const mode = options.mode ?? 'on';
  const deadlineMs = options.deadlineMs ?? 30_000;
  const metrics = resilienceMetrics(options.registry);
  const series = metrics.dependency(name);
  const dependency = name;
  const { knockout } = options;
  // Asked in both modes, so that the boot check knows the dependency exists.
  const settings = withoutKnockedOut(policySettingsSchema.parse(options.settings ?? {}), name, knockout, deadlineMs);
  const breakerOff = knockedOut(knockout, 'breaker', name);
  const fallbackOff = knockedOut(knockout, 'fallback', name);
  const keyPerAttempt = knockedOut(knockout, 'idempotency-key', name);

  if (mode === 'off') {
    metrics.setBreakerState(name, 'disabled');
    const never = new AbortController().signal;
    return {
      name,
      mode,
      settings,
      state: 'disabled',
      keyPerAttempt,
      execute: (fn, call) => observed(series, () => fn(call?.signal ?? never)),
    };
  }

  // With the policies on, every mechanism exists from the start: its outcomes are exported at 0.
  metrics.initialise(name);
  // Knocked out, the breaker counts nothing: no failure is ever handled, so it never opens.
  const breaker = circuitBreaker(
    handleWhen((error) => !breakerOff && !isIgnoredFailure(error) && !isCancellation(error) && !(error instanceof RequestFailure)),
    {
      halfOpenAfter: settings.breaker.halfOpenAfterMs,
      breaker: new CountBreaker({ threshold: settings.breaker.threshold, size: settings.breaker.size, minimumNumberOfCalls: settings.breaker.minimumCalls }),
    },
  );
  const retrier = retry(handleWhen(isTransientFailure), { maxAttempts: settings.retry.maxAttempts - 1, backoff: retryBackoff(settings.retry) });
  const limiter = bulkhead(settings.bulkhead.maxConcurrent, settings.bulkhead.maxQueue);

  let openedAt = 0;
  metrics.setBreakerState(name, 'closed');
  metrics.trackBulkhead(name, settings.bulkhead.maxConcurrent, () => limiter.executionSlots);
  breaker.onStateChange((state) => metrics.setBreakerState(name, STATE_NAMES[state]));
  breaker.onBreak((reason) => {
    openedAt = Date.now();
    const cause = 'error' in reason ? describe(reason.error) : 'isolated';
    logger.warn('circuit breaker opened', { dependency, cause, halfOpenAfterMs: settings.breaker.halfOpenAfterMs });
  });
  breaker.onHalfOpen(() => logger.info('circuit breaker half-open', { dependency }));
  breaker.onReset(() => logger.info('circuit breaker closed', { dependency }));
  retrier.onRetry((event) => {
    const cause = 'error' in event ? describe(event.error) : 'result';
    logger.info('retrying dependency call', { dependency, attempt: event.attempt, delayMs: event.delay, cause });
  });
  limiter.onReject(() => {
    series.bulkheadRejected.inc();
    logger.warn('bulkhead full, call rejected', { dependency, ...settings.bulkhead });
  });

  /**
   * One attempt, through the breaker, under the time limit ({@link withTimeLimit}), timed and counted
   * in flight like {@link observed} (inlined: one async frame less per call), mapped to our errors so
   * the breaker and retry see them. The time limit gets the caller's own signal: the breaker would
   * pass it on, or a never-aborted stand-in that would cost a listener per attempt.
   */
  const attempt = <T>(fn: (signal: AbortSignal) => Promise<T>, caller: AbortSignal | undefined, isRequestFailure?: (error: unknown) => boolean) =>
    breaker.execute(async () => {
      const started = performance.now();
      series.inFlight.inc();
      try {
        const value = await withTimeLimit(settings.timeoutMs, fn, caller);
        series.calls.successful.observe((performance.now() - started) / 1000);
        series.timeLimiter.successful.inc();
        return value;
      } catch (thrown) {
        const error = isRequestFailure?.(thrown) ? new RequestFailure(thrown) : thrown;
        series.calls[callKind(error)].observe((performance.now() - started) / 1000);
        if (caller?.aborted) throw caller.reason;
        if (!isTimeout(error)) {
          series.timeLimiter.failed.inc();
          throw error;
        }
        series.timeLimiter.timeout.inc();
        logger.info('dependency call timed out', { dependency, timeoutMs: settings.timeoutMs });
        throw errors.dependencyTimeout(name, settings.timeoutMs);
      } finally {
        series.inFlight.dec();
      }
    }, caller);

  const remainingOpenSec = () => Math.max(0, openedAt + settings.breaker.halfOpenAfterMs - Date.now()) / 1000;

  async function execute<T>(fn: (signal: AbortSignal, attempt?: number) => Promise<T>, call: CallOptions<T> = {}): Promise<T> {
    const { signal } = call;
    let attempts = 0;
    let failedAt = 0;
    try {
      return await limiter.execute(async () => {
        try {
          const counted = () => {
            if (attempts > 0) series.retryWait.observe((performance.now() - failedAt) / 1000);
            attempts += 1;
            const ordinal = attempts;
            const run = keyPerAttempt ? (attemptSignal: AbortSignal) => fn(attemptSignal, ordinal) : fn;
            if (!call.retryable) return attempt(run, signal, call.isRequestFailure);
            return attempt(run, signal, call.isRequestFailure).catch((error: unknown) => {
              failedAt = performance.now();
              throw error;
            });
          };
          const value = call.retryable ? await retrier.execute(counted, signal) : await counted();
          (attempts > 1 ? series.retry.successful_with_retry : series.retry.successful_without_retry).inc();
          return value;
        } catch (error) {
          (attempts > 1 ? series.retry.failed_with_retry : series.retry.failed_without_retry).inc();
          throw error;
        }
      }, signal);
    } catch (thrown) {
      // The request's own failure reaches the caller as the dependency named it, without a fallback.
      if (thrown instanceof RequestFailure) throw thrown.failure;
      const raw = thrown;
      const error = isBrokenCircuitError(raw) ? errors.circuitOpen(name, remainingOpenSec()) : isBulkheadRejectedError(raw) ? errors.bulkheadFull(name) : raw;
      if (isBrokenCircuitError(raw)) series.notPermitted.inc();
      if (!call.fallback || fallbackOff || isIgnoredFailure(error) || isCancellation(error)) throw error;
      logger.info('fallback served', { dependency, cause: describe(error) });
      return call.fallback(error);
    }
  }

  return {
    name,
    mode,
    settings,
    get state() {
      return STATE_NAMES[breaker.state];
    },
    keyPerAttempt,
    execute,
  };
}
