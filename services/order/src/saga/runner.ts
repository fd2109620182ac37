import type { DbPool, Logger } from '@faultline/platform';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { foldOrder, type OrderState } from '../domain/order.js';
import { advance, resumeStep, retryDelayMs, type SagaPolicy, type SagaStep, type StepOutcome, type Transition, timeoutTransition } from '../domain/saga.js';
import type { OrderMetrics } from '../metrics.js';
import { recordTransition } from '../store/order-journal.js';
import { isVersionConflict, loadEvents } from '../store/order-store.js';
import { loadSaga, type ResumePoint, releaseLease, type SagaRecord, startAttempt } from '../store/saga-store.js';
import type { SagaSteps } from './steps.js';

/**
 * A saga and its order as the caller just stored them, so a run need not read them back: the saga
 * at its first step, leased to the run, due now (its resume point, so no write is needed before the first attempt).
 */
export interface KnownSaga {
  saga: SagaRecord;
  order: OrderState;
}

/** How a run ended: the order's end (with the order as recorded), waiting for a later attempt, or lost to another runner. */
export type RunResult = { end: 'confirmed' | 'cancelled'; order: OrderState } | { end: 'waiting' | 'lost' };

const WAITING: RunResult = { end: 'waiting' };
const LOST: RunResult = { end: 'lost' };

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
  async function record(
    saga: SagaRecord,
    order: OrderState,
    owner: string,
    transition: Transition,
    resumeAt: ResumePoint | undefined,
  ): Promise<OrderState | undefined> {
    let next: OrderState | undefined;
    try {
      next = await recordTransition(pool, saga.orderId, order, transition, { owner, leaseMs, resumeAt });
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

  /** Where `step` resumes if its attempt's outcome is lost: the step itself at once, a charge by asking payment after a pause. */
  const resumePoint = (step: SagaStep): ResumePoint => {
    const resume = resumeStep(step);
    return { step: resume, at: new Date(Date.now() + (resume === step ? 0 : retryDelayMs(policy, 1))) };
  };

  /** Run the saga leased to `owner`; `known` is its state when the caller has just written it (a new checkout). */
  async function run(orderId: string, owner: string, signal: AbortSignal, known?: KnownSaga): Promise<RunResult> {
    const loaded = known?.saga ?? (await loadSaga(pool, orderId));
    if (!loaded || loaded.leaseOwner !== owner) return LOST;
    let saga: SagaRecord = loaded;
    const folded = known?.order ?? foldOrder(orderId, await loadEvents(pool, orderId));
    if (!folded) throw new Error(`order ${orderId} has a saga but no events`);
    let order: OrderState = folded;
    // Whether the row already holds the current step's resume point under our lease: a new
    // checkout's saga does (createSaga), and so does every step a recorded transition went on to.
    let resumeWritten = known !== undefined;
    for (;;) {
      if (saga.step === 'done') return order.status === 'pending' ? WAITING : { end: order.status, order };
      if (signal.aborted) {
        await releaseLease(pool, orderId, owner);
        return WAITING;
      }
      let transition = timeoutTransition(saga, new Date(), policy);
      if (!transition) {
        // Write ahead where to resume if this attempt's outcome is lost (a crash mid-charge resumes by asking payment).
        if (!resumeWritten && !(await startAttempt(pool, orderId, owner, leaseMs, resumePoint(saga.step)))) return LOST;
        const outcome = await attempt(saga, order, signal);
        if (signal.aborted) {
          await releaseLease(pool, orderId, owner);
          return WAITING;
        }
        transition = advance(saga, order, outcome, new Date(), policy);
      }
      // Going on at once: the same statement writes the next step's resume point (no startAttempt before it).
      const goesOn = transition.step !== 'done' && !transition.retryAt;
      const next = await record(saga, order, owner, transition, goesOn ? resumePoint(transition.step) : undefined);
      if (!next) return LOST;
      resumeWritten = goesOn;
      if (transition.step === 'done') return { end: next.status === 'confirmed' ? 'confirmed' : 'cancelled', order: next };
      if (transition.retryAt) return WAITING;
      // The transition is saved under our lease, so the saga's and the order's new state are known:
      // no reading them back before the next step (that was two statements per step).
      saga = { ...saga, step: transition.step, attempts: transition.attempts, cancelReason: transition.cancelReason, lastError: transition.lastError };
      order = next;
    }
  }

  return { run };
}

export type SagaRunner = ReturnType<typeof createSagaRunner>;
