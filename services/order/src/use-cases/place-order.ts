import { createHash, randomUUID } from 'node:crypto';
import { AppError, type DbPool, errors, withTransaction } from '@faultline/platform';
import type { RequestedLine } from '../domain/order-events.js';
import type { OrderMetrics } from '../metrics.js';
import type { KnownSaga } from '../saga/runner.js';
import type { SagaWorker } from '../saga/worker.js';
import { claimCheckout } from '../store/checkout-store.js';
import { recordNewOrder } from '../store/order-journal.js';
import { findOrderView, type OrderView, viewOf } from '../store/order-views.js';
import { loadSaga } from '../store/saga-store.js';

export interface CheckoutContext {
  pool: DbPool;
  worker: SagaWorker;
  metrics: OrderMetrics;
  /** How long the request runs the saga itself before answering with the order pending. */
  syncBudgetMs: number;
  leaseMs: number;
  /**
   * The fallback when payment cannot be reached: answer 202 with the order pending (default). False
   * only when it is knocked out (`fallback:payment`): the customer gets the dependency's failure.
   */
  acceptPendingWhenPaymentFails?: boolean;
}

export interface Checkout {
  userId: string;
  idempotencyKey: string;
  /** Defaults to the cart (which is then emptied). */
  items?: RequestedLine[] | undefined;
  cardToken: string;
}

export interface CheckoutResult {
  order: OrderView;
  /** The saga ended (confirmed or cancelled) before the answer. */
  finished: boolean;
}

/** Same key, same request → same order; the fingerprint is what "same request" means. */
const fingerprint = ({ items, cardToken }: Checkout) =>
  createHash('sha256')
    .update(JSON.stringify({ items: items ?? null, cardToken }))
    .digest('hex');

/** One line per product. */
const merged = (lines: RequestedLine[]): RequestedLine[] => {
  const byProduct = new Map<string, number>();
  for (const { productId, quantity } of lines) byProduct.set(productId, (byProduct.get(productId) ?? 0) + quantity);
  return [...byProduct].map(([productId, quantity]) => ({ productId, quantity }));
};

const keyReused = () =>
  new AppError('idempotency-key-reused', 422, 'Idempotency key reused', { detail: 'this Idempotency-Key was used for a different checkout request' });
const cartEmpty = () => new AppError('cart-empty', 422, 'Nothing to order', { detail: 'the cart is empty and the request names no items' });
const lineTooLarge = () => new AppError('quantity-too-large', 422, 'Quantity too large', { detail: 'at most 100 of one product per order' });

/** What `task` resolved with within `ms`, or undefined when it had not by then. */
async function within<T>(task: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([task, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  clearTimeout(timer);
  return result;
}

/**
 * Checkout: record the order as placed and its saga as started (one transaction, keyed by the
 * Idempotency-Key), then run the saga for up to the sync budget. What is not finished by then
 * goes on in the background and in the saga worker; the customer gets the order pending.
 */
export async function placeOrder(ctx: CheckoutContext, checkout: Checkout): Promise<CheckoutResult> {
  const { userId, idempotencyKey, cardToken } = checkout;
  const requestHash = fingerprint(checkout);
  const newOrderId = randomUUID();
  const runner = `checkout:${newOrderId}`;

  const { orderId, placed, known } = await withTransaction(ctx.pool, async (tx): Promise<{ orderId: string; placed: boolean; known?: KnownSaga }> => {
    // The cart is taken (emptied) with the claim; a refused order below rolls both back.
    const claim = await claimCheckout(tx, { userId, key: idempotencyKey, requestHash, orderId: newOrderId, takeCart: !checkout.items });
    if (!claim.claimed) {
      if (claim.requestHash !== requestHash) throw keyReused();
      return { orderId: claim.orderId, placed: false };
    }
    const items = merged(checkout.items ?? claim.cart);
    if (items.length === 0) throw cartEmpty();
    if (items.some((line) => line.quantity > 100)) throw lineTooLarge();
    const reservationId = randomUUID();
    const placedEvent = { type: 'OrderPlaced', data: { userId, items, reservationId } } as const;
    const recorded = await recordNewOrder(
      tx,
      [placedEvent],
      { orderId: newOrderId, userId, reservationId, cardToken },
      { owner: runner, leaseMs: ctx.leaseMs },
    );
    return { orderId: newOrderId, placed: true, known: recorded };
  });

  const ran = placed ? await within(ctx.worker.run(orderId, runner, known), ctx.syncBudgetMs) : undefined;
  // A run that ended the order recorded its final state itself: that is the view, no need to read it back.
  const order = ran?.end === 'confirmed' || ran?.end === 'cancelled' ? viewOf(ran.order) : await findOrderView(ctx.pool, orderId);
  if (!order) throw new Error(`order ${orderId} has no view`);
  const finished = order.status !== 'pending';
  if (placed && !finished && ctx.acceptPendingWhenPaymentFails === false) {
    const saga = await loadSaga(ctx.pool, orderId);
    if (saga && (saga.step === 'charge-payment' || saga.step === 'verify-payment') && saga.lastError)
      throw errors.dependencyFailed('payment', `checkout could not reach payment: ${saga.lastError}`);
  }
  if (placed && !finished) ctx.metrics.orderOutcome('pending');
  return { order, finished };
}
