import type { CancelReason, OrderEvent, PricedLine, RecordedEvent, RequestedLine } from './order-events.js';

export type OrderStatus = 'pending' | 'confirmed' | 'cancelled';

/** An order as its events say it is. */
export interface OrderState {
  orderId: string;
  userId: string;
  status: OrderStatus;
  /** Requested lines, priced once the stock is reserved. */
  items: (RequestedLine | PricedLine)[];
  total: number | null;
  currency: 'EUR';
  reservationId: string;
  stock: 'requested' | 'reserved' | 'committed' | 'released';
  payment: 'none' | 'captured' | 'declined' | 'refunded';
  paymentId: string | null;
  cancelReason: CancelReason | null;
  refunded: boolean;
  /** Version of the last event folded in: the expected version of the next append. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Apply one event. Pure; throws on a stream that does not start with OrderPlaced. */
export function evolve(state: OrderState | undefined, event: OrderEvent, version: number, at: Date, orderId?: string): OrderState {
  if (!state) {
    if (event.type !== 'OrderPlaced' || !orderId) throw new Error(`an order stream starts with OrderPlaced, not ${event.type}`);
    const { userId, items, reservationId } = event.data;
    return {
      orderId,
      userId,
      status: 'pending',
      items,
      total: null,
      currency: 'EUR',
      reservationId,
      stock: 'requested',
      payment: 'none',
      paymentId: null,
      cancelReason: null,
      refunded: false,
      version,
      createdAt: at,
      updatedAt: at,
    };
  }
  const next = { ...state, version, updatedAt: at };
  switch (event.type) {
    case 'OrderPlaced':
      throw new Error(`order ${state.orderId} was already placed`);
    case 'StockReserved':
      return { ...next, stock: 'reserved', items: event.data.items, total: event.data.total };
    case 'PaymentCaptured':
      return { ...next, payment: 'captured', paymentId: event.data.paymentId };
    case 'PaymentDeclined':
      return { ...next, payment: 'declined' };
    case 'PaymentRefunded':
      return { ...next, payment: 'refunded', refunded: true, paymentId: event.data.paymentId ?? state.paymentId };
    case 'StockCommitted':
      return { ...next, stock: 'committed' };
    case 'StockReleased':
      return { ...next, stock: 'released' };
    case 'OrderConfirmed':
      return { ...next, status: 'confirmed' };
    case 'OrderCancelled':
      return { ...next, status: 'cancelled', cancelReason: event.data.reason, refunded: event.data.refunded };
  }
}

/** The order's state: the fold of its recorded events (undefined for an empty stream). */
export function foldOrder(orderId: string, events: readonly RecordedEvent[]): OrderState | undefined {
  let state: OrderState | undefined;
  for (const event of events) state = evolve(state, event, event.version, event.occurredAt, orderId);
  return state;
}

/** The state after appending `events` (numbered after `state.version`) at `at`. */
export function applyNew(orderId: string, state: OrderState | undefined, events: readonly OrderEvent[], at: Date): OrderState | undefined {
  let current = state;
  for (const event of events) current = evolve(current, event, (current?.version ?? 0) + 1, at, orderId);
  return current;
}
