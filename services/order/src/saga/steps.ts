import { type Payment, paymentSchema, type Reservation, reservationSchema } from '@faultline/contracts';
import { isAppError } from '@faultline/platform';
import type { Dependencies } from '../dependencies.js';
import type { OrderState } from '../domain/order.js';
import type { StepOutcome } from '../domain/saga.js';
import type { SagaRecord } from '../store/saga-store.js';

const describe = (error: unknown) => (isAppError(error) ? `${error.errorName}: ${error.detail ?? error.message}` : String(error));
/** A 4xx answer (but 429): the dependency decided; asking again will not change it. */
const isRefusal = (error: unknown) => isAppError(error) && error.status >= 400 && error.status < 500 && error.status !== 429;

function paymentOutcome(payment: Payment): StepOutcome {
  if (payment.status === 'captured')
    return { kind: 'captured', paymentId: payment.paymentId, amount: payment.amount, currency: payment.currency, userId: payment.userId };
  if (payment.status === 'declined') return { kind: 'declined', reason: payment.declineReason ?? 'declined' };
  return { kind: 'refunded', paymentId: payment.paymentId };
}

/** The remote call of each step, its answer (or failure) turned into a {@link StepOutcome}. */
export function createSagaSteps({ product, payment }: Dependencies) {
  const reservation = (saga: SagaRecord) => `/v1/reservations/${saga.reservationId}`;

  async function reserveStock(saga: SagaRecord, order: OrderState, signal: AbortSignal): Promise<StepOutcome> {
    const items = order.items.map(({ productId, quantity }) => ({ productId, quantity }));
    try {
      const { body } = await product.post<Reservation>(
        '/v1/reservations',
        { reservationId: saga.reservationId, orderId: saga.orderId, items },
        { idempotencyKey: saga.reservationId, signal },
      );
      const held = reservationSchema.parse(body);
      return { kind: 'reserved', reservationId: held.reservationId, items: held.items };
    } catch (error) {
      return isRefusal(error) ? { kind: 'items-unavailable', detail: describe(error) } : { kind: 'unreachable', detail: describe(error) };
    }
  }

  /** Sent once per attempt: the Idempotency-Key header is set by hand so the policy never retries a charge blindly. */
  async function chargePayment(saga: SagaRecord, order: OrderState, signal: AbortSignal): Promise<StepOutcome> {
    const charge = { orderId: saga.orderId, userId: saga.userId, amount: order.total ?? 0, currency: order.currency, cardToken: saga.cardToken ?? '' };
    try {
      const { body } = await payment.post<Payment>('/v1/payments', charge, { headers: { 'idempotency-key': saga.orderId }, signal });
      return paymentOutcome(paymentSchema.parse(body));
    } catch (error) {
      if (isAppError(error) && error.errorName === 'payment-declined') return { kind: 'declined', reason: error.detail ?? 'declined' };
      // 409: a charge with this key is still being processed; its outcome is as unknown as a timeout's.
      if (isRefusal(error) && (error as { status: number }).status !== 409) return { kind: 'payment-rejected', detail: describe(error) };
      return { kind: 'outcome-unknown', detail: describe(error) };
    }
  }

  /** Ask payment what happened to the order's charge (it consults the card processor itself). */
  async function verifyPayment(saga: SagaRecord, _order: OrderState, signal: AbortSignal): Promise<StepOutcome> {
    try {
      const { body } = await payment.get<Payment>('/v1/payments', { query: { orderId: saga.orderId }, signal });
      return paymentOutcome(paymentSchema.parse(body));
    } catch (error) {
      if (isAppError(error) && error.errorName === 'payment-not-found') return { kind: 'payment-missing' };
      return { kind: 'unreachable', detail: describe(error) };
    }
  }

  async function commitStock(saga: SagaRecord, _order: OrderState, signal: AbortSignal): Promise<StepOutcome> {
    try {
      await product.post(`${reservation(saga)}/commit`, {}, { idempotencyKey: `commit-${saga.reservationId}`, signal });
      return { kind: 'committed' };
    } catch (error) {
      return isRefusal(error) ? { kind: 'commit-rejected', detail: describe(error) } : { kind: 'unreachable', detail: describe(error) };
    }
  }

  async function refundPayment(saga: SagaRecord, order: OrderState, signal: AbortSignal): Promise<StepOutcome> {
    try {
      const { body } = await payment.post<Payment>(`/v1/payments/${order.paymentId}/refund`, {}, { idempotencyKey: `refund-${saga.orderId}`, signal });
      return { kind: 'refunded', paymentId: paymentSchema.parse(body).paymentId };
    } catch (error) {
      // A refused refund is not retried into success by waiting, but money is at stake: it stays visible in the saga audit.
      return { kind: 'unreachable', detail: describe(error) };
    }
  }

  async function releaseStock(saga: SagaRecord, _order: OrderState, signal: AbortSignal): Promise<StepOutcome> {
    try {
      await product.post(`${reservation(saga)}/release`, {}, { idempotencyKey: `release-${saga.reservationId}`, signal });
      return { kind: 'released' };
    } catch (error) {
      // Nothing held under this id (never reserved, expired, already committed): nothing more can be released.
      if (isRefusal(error)) return { kind: 'released' };
      return { kind: 'unreachable', detail: describe(error) };
    }
  }

  const steps = {
    'reserve-stock': reserveStock,
    'charge-payment': chargePayment,
    'verify-payment': verifyPayment,
    'commit-stock': commitStock,
    'refund-payment': refundPayment,
    'release-stock': releaseStock,
  } as const;

  return {
    perform(saga: SagaRecord, order: OrderState, signal: AbortSignal): Promise<StepOutcome> {
      if (saga.step === 'done') throw new Error(`saga of order ${saga.orderId} is done`);
      return steps[saga.step](saga, order, signal);
    },
  };
}

export type SagaSteps = ReturnType<typeof createSagaSteps>;
