import type { DbPool, Logger } from '@faultline/platform';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { foldOrder, type OrderState } from '../domain/order.js';
import { advance, resumeStep, retryDelayMs, type SagaPolicy, type StepOutcome, type Transition, timeoutTransition } from '../domain/saga.js';
import type { OrderMetrics } from '../metrics.js';
import { recordTransition } from '../store/order-journal.js';
import { isVersionConflict, loadEvents } from '../store/order-store.js';
import { loadSaga, releaseLease, type SagaRecord, startAttempt } from '../store/saga-store.js';
import type { SagaSteps } from './steps.js';

/** A saga and its order as the caller just stored them, so a run need not read them back. */
export interface KnownSaga {
  saga: SagaRecord;
  order: OrderState;
}

/** How a run ended: the order's end, waiting for a later attempt, or lost to another runner. */
export type RunResult = 'confirmed' | 'cancelled' | 'waiting' | 'lost';

export interface SagaRunnerOptions {
  pool: DbPool;
  logger: Logger;
  steps: SagaSteps;
  policy: SagaPolicy;
  metrics: OrderMetrics;
  leaseMs: number;
}

const FAILURES = new Set<StepOutcome['kind']>(['unreachable', 'outcome-unknown']);

/** Runs one leased saga step by step until it ends, has to wait, or is interrupted. */
export function createSagaRunner({ pool, logger, steps, policy, metrics, leaseMs }: SagaRunnerOptions) {
  /** One step's remote call, as the span `saga.<step>`. */
  const attempt = (saga: SagaRecord, order: OrderState, signal: AbortSignal) =>
    trace
      .getTracer('order-saga')
      .startActiveSpan(
        `saga.${saga.step}`,
        { attributes: { 'app.order.id': saga.orderId, 'app.saga.step': saga.step, 'app.saga.attempt': saga.attempts + 1 } },
        async (span) => {
          try {
            const outcome = await steps.perform(saga, order, signal);
            span.setAttribute('app.saga.outcome', outcome.kind);
            if (FAILURES.has(outcome.kind)) span.setStatus({ code: SpanStatusCode.ERROR, message: 'detail' in outcome ? outcome.detail : outcome.kind });
            return outcome;
          } catch (error) {
            span.recordException(error instanceof Error ? error : String(error));
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        },
      );

  /** Save the transition and its events together; undefined when another runner moved the saga on meanwhile. */
  async function record(saga: SagaRecord, order: OrderState, owner: string, transition: Transition): Promise<OrderState | undefined> {
    let next: OrderState | undefined;
    try {
      next = await recordTransition(pool, saga.orderId, order, transition, { owner, leaseMs });
    } catch (error) {
      if (!isVersionConflict(error)) throw error;
    }
    if (!next) {
      logger.warn('saga run abandoned: the saga moved on elsewhere', { orderId: saga.orderId, step: saga.step });
      return undefined;
    }
    if (transition.compensation) {
      metrics.compensation(transition.compensation);
      logger.info('saga compensating', { orderId: saga.orderId, reason: transition.compensation, from: saga.step });
    }
    if (transition.step === 'done') {
      metrics.orderOutcome(next.status);
      metrics.sagaFinished(next.status, saga.startedAt);
      logger.info(next.status === 'confirmed' ? 'order confirmed' : 'order cancelled', { orderId: saga.orderId, reason: next.cancelReason ?? undefined });
    }
    return next;
  }

  /** Run the saga leased to `owner`; `known` is its state when the caller has just written it (a new checkout). */
  async function run(orderId: string, owner: string, signal: AbortSignal, known?: KnownSaga): Promise<RunResult> {
    const loaded = known?.saga ?? (await loadSaga(pool, orderId));
    if (!loaded || loaded.leaseOwner !== owner) return 'lost';
    let saga: SagaRecord = loaded;
    const folded = known?.order ?? foldOrder(orderId, await loadEvents(pool, orderId));
    if (!folded) throw new Error(`order ${orderId} has a saga but no events`);
    let order: OrderState = folded;
    for (;;) {
      if (saga.step === 'done') return order.status === 'pending' ? 'waiting' : order.status;
      if (signal.aborted) {
        await releaseLease(pool, orderId, owner);
        return 'waiting';
      }
      let transition = timeoutTransition(saga, new Date(), policy);
      if (!transition) {
        // Write ahead where to resume if this attempt's outcome is lost (a crash mid-charge resumes by asking payment).
        const resume = resumeStep(saga.step);
        const at = new Date(Date.now() + (resume === saga.step ? 0 : retryDelayMs(policy, 1)));
        if (!(await startAttempt(pool, orderId, owner, leaseMs, { step: resume, at }))) return 'lost';
        const outcome = await attempt(saga, order, signal);
        if (signal.aborted) {
          await releaseLease(pool, orderId, owner);
          return 'waiting';
        }
        transition = advance(saga, order, outcome, new Date(), policy);
      }
      const next = await record(saga, order, owner, transition);
      if (!next) return 'lost';
      if (transition.step === 'done') return next.status === 'confirmed' ? 'confirmed' : 'cancelled';
      if (transition.retryAt) return 'waiting';
      // The transition is saved under our lease, so the saga's and the order's new state are known:
      // no reading them back before the next step (that was two statements per step).
      saga = { ...saga, step: transition.step, attempts: transition.attempts, cancelReason: transition.cancelReason, lastError: transition.lastError };
      order = next;
    }
  }

  return { run };
}

export type SagaRunner = ReturnType<typeof createSagaRunner>;
