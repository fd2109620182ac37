import type { OrderState } from './order.js';
import type { CancelReason, OrderEvent, PricedLine } from './order-events.js';

/**
 * The checkout saga as a pure state machine. Forward: reserve-stock → charge-payment →
 * commit-stock → done (confirmed). An unknown charge outcome goes to verify-payment, never back to
 * a blind charge. Compensations: refund-payment → release-stock → done (cancelled with a reason).
 */
export type SagaStep = 'reserve-stock' | 'charge-payment' | 'verify-payment' | 'commit-stock' | 'refund-payment' | 'release-stock' | 'done';

export interface Saga {
  orderId: string;
  step: SagaStep;
  /** Failed attempts at the current step (reset when the step changes). */
  attempts: number;
  /** Set once the saga compensates: the reason the order will be cancelled with. */
  cancelReason: CancelReason | null;
  startedAt: Date;
}

/** What running a step found out. */
export type StepOutcome =
  | { kind: 'reserved'; reservationId: string; items: PricedLine[] }
  | { kind: 'items-unavailable'; detail: string }
  /** A captured payment for the order id, as payment describes it: the saga checks it is the order's own. */
  | { kind: 'captured'; paymentId: string; amount: number; currency: string; userId: string }
  | { kind: 'declined'; reason: string }
  /** The charge was refused (a 4xx other than a decline): nobody was charged. */
  | { kind: 'payment-rejected'; detail: string }
  /** The charge timed out, failed with 5xx or was not sent (breaker open): it may or may not have happened. */
  | { kind: 'outcome-unknown'; detail: string }
  /** Payment (having asked its processor) says no charge exists for the order. */
  | { kind: 'payment-missing' }
  | { kind: 'refunded'; paymentId: string | null }
  | { kind: 'committed' }
  | { kind: 'commit-rejected'; detail: string }
  | { kind: 'released' }
  /** The dependency could not be reached: try the same step again later. */
  | { kind: 'unreachable'; detail: string };

export interface Transition {
  step: SagaStep;
  attempts: number;
  cancelReason: CancelReason | null;
  /** Events to append to the order's stream, in the same transaction as the saga row. */
  events: OrderEvent[];
  /** When set, the saga waits until then (its lease is released); otherwise the next step runs at once. */
  retryAt: Date | null;
  lastError: string | null;
  /** Set when this transition starts compensating (for the compensations metric). */
  compensation: CancelReason | null;
}

export interface SagaPolicy {
  retryBaseMs: number;
  retryMaxMs: number;
  /** A saga still going forward after this long compensates with reason `saga-timeout`. */
  timeoutMs: number;
  random?: () => number;
  /** False only when compensation is knocked out (`chaos prove`): the saga cancels without undoing its steps. */
  compensate?: boolean;
}

/** Delay before attempt `attempt + 1` of a step: exponential from `retryBaseMs`, capped, with equal jitter. */
export function retryDelayMs(policy: SagaPolicy, attempt: number): number {
  const exponential = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + (policy.random ?? Math.random)() * (exponential / 2));
}

/**
 * The step to resume at if an attempt of `step` is interrupted without a recorded outcome. It is
 * written before the attempt starts, so a crash during a charge resumes by asking payment.
 */
export const resumeStep = (step: SagaStep): SagaStep => (step === 'charge-payment' ? 'verify-payment' : step);

const cancelled = (order: OrderState, reason: CancelReason): OrderEvent => ({ type: 'OrderCancelled', data: { reason, refunded: order.refunded } });

/** How a captured payment differs from the order (amount, currency, user), or undefined when it is the order's. */
export function paymentMismatch(order: OrderState, paid: { amount: number; currency: string; userId: string }): string | undefined {
  const differences = [
    paid.amount !== order.total && `amount ${paid.amount} ≠ total ${order.total}`,
    paid.currency !== order.currency && `currency ${paid.currency} ≠ ${order.currency}`,
    paid.userId !== order.userId && `user ${paid.userId} ≠ ${order.userId}`,
  ].filter((d): d is string => Boolean(d));
  return differences.length ? `payment does not match the order: ${differences.join(', ')}` : undefined;
}

export function advance(saga: Saga, order: OrderState, outcome: StepOutcome, now: Date, policy: SagaPolicy): Transition {
  const move = (step: SagaStep, events: OrderEvent[] = [], cancelReason = saga.cancelReason): Transition => ({
    step,
    attempts: 0,
    cancelReason,
    events,
    retryAt: null,
    lastError: null,
    compensation: null,
  });
  const compensate = (reason: CancelReason, step: SagaStep, events: OrderEvent[] = []): Transition => {
    // Knocked out: straight to cancelled, the held stock and any capture left as they are (the bug a compensation prevents).
    if (policy.compensate === false && step !== 'done')
      return { ...move('done', [...events, cancelled(order, saga.cancelReason ?? reason)], saga.cancelReason ?? reason), compensation: null };
    return { ...move(step, events, saga.cancelReason ?? reason), compensation: saga.cancelReason ? null : reason };
  };
  const later = (detail: string, step = saga.step): Transition => {
    const attempts = step === saga.step ? saga.attempts + 1 : 1;
    return { ...move(step), attempts, retryAt: new Date(now.getTime() + retryDelayMs(policy, attempts)), lastError: detail };
  };
  const unexpected = () => new Error(`saga step ${saga.step} cannot handle outcome ${outcome.kind}`);

  if (outcome.kind === 'unreachable') return later(outcome.detail);
  switch (saga.step) {
    case 'reserve-stock':
      if (outcome.kind === 'reserved') {
        const total = outcome.items.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
        return move('charge-payment', [{ type: 'StockReserved', data: { reservationId: outcome.reservationId, items: outcome.items, total } }]);
      }
      // All-or-nothing reservation: nothing is held, nobody was charged.
      if (outcome.kind === 'items-unavailable') return { ...compensate('out-of-stock', 'done', [cancelled(order, 'out-of-stock')]), lastError: outcome.detail };
      throw unexpected();
    case 'charge-payment':
    case 'verify-payment':
      switch (outcome.kind) {
        case 'captured': {
          const events: OrderEvent[] = [{ type: 'PaymentCaptured', data: { paymentId: outcome.paymentId, amount: outcome.amount } }];
          // Anyone can charge an order id first (with another amount or card): only the order's own payment confirms it.
          const mismatch = paymentMismatch(order, outcome);
          if (mismatch) return { ...compensate('payment-mismatch', 'refund-payment', events), lastError: mismatch };
          return saga.cancelReason ? move('refund-payment', events) : move('commit-stock', events);
        }
        case 'declined':
          return compensate('payment-declined', 'release-stock', [{ type: 'PaymentDeclined', data: { reason: outcome.reason } }]);
        case 'payment-rejected':
          return { ...compensate('payment-failed', 'release-stock'), lastError: outcome.detail };
        case 'refunded':
          return compensate('payment-failed', 'release-stock', [{ type: 'PaymentRefunded', data: { paymentId: outcome.paymentId } }]);
        case 'outcome-unknown':
          return later(outcome.detail, 'verify-payment');
        case 'payment-missing':
          // Nothing was charged: charging again with the same Idempotency-Key is safe.
          return saga.cancelReason ? move('release-stock') : move('charge-payment');
        default:
          throw unexpected();
      }
    case 'commit-stock':
      if (outcome.kind === 'committed')
        return move('done', [
          { type: 'StockCommitted', data: {} },
          { type: 'OrderConfirmed', data: {} },
        ]);
      // The reservation is gone (expired or released): the customer paid for stock we cannot ship.
      if (outcome.kind === 'commit-rejected') return { ...compensate('out-of-stock', 'refund-payment'), lastError: outcome.detail };
      throw unexpected();
    case 'refund-payment':
      if (outcome.kind === 'refunded') return move('release-stock', [{ type: 'PaymentRefunded', data: { paymentId: outcome.paymentId ?? order.paymentId } }]);
      throw unexpected();
    case 'release-stock':
      if (outcome.kind === 'released') return move('done', [{ type: 'StockReleased', data: {} }, cancelled(order, saga.cancelReason ?? 'payment-failed')]);
      throw unexpected();
    case 'done':
      throw unexpected();
  }
}

/**
 * The saga-timeout compensation, when a saga going forward has run longer than the policy allows.
 * A charge in doubt is never abandoned: at verify-payment the reason is only noted, and the
 * compensation follows once payment tells what happened.
 */
export function timeoutTransition(saga: Saga, now: Date, policy: SagaPolicy): Transition | undefined {
  if (saga.cancelReason || now.getTime() - saga.startedAt.getTime() < policy.timeoutMs) return undefined;
  const to = (step: SagaStep): Transition => ({
    step,
    attempts: 0,
    cancelReason: 'saga-timeout',
    events: [],
    retryAt: null,
    lastError: 'saga timed out',
    compensation: 'saga-timeout',
  });
  switch (saga.step) {
    case 'reserve-stock':
    case 'charge-payment':
      return to('release-stock');
    case 'verify-payment':
      return to('verify-payment');
    case 'commit-stock':
      return to('refund-payment');
    default:
      return undefined;
  }
}
