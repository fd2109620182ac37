import type { EventData } from '@faultline/contracts';

/** Why an order was cancelled (the `order.cancelled` contract's reasons). */
export type CancelReason = EventData<'order.cancelled'>['reason'];

export interface RequestedLine {
  productId: string;
  quantity: number;
}

export interface PricedLine extends RequestedLine {
  /** Cents, as the product service priced the reservation. */
  unitPrice: number;
}

/** The facts of an order's life, in the order they may happen. Appended, never changed. */
export type OrderEvent =
  | { type: 'OrderPlaced'; data: { userId: string; items: RequestedLine[]; reservationId: string } }
  | { type: 'StockReserved'; data: { reservationId: string; items: PricedLine[]; total: number } }
  | { type: 'PaymentCaptured'; data: { paymentId: string; amount: number } }
  | { type: 'PaymentDeclined'; data: { reason: string } }
  | { type: 'PaymentRefunded'; data: { paymentId: string | null } }
  | { type: 'StockCommitted'; data: Record<string, never> }
  | { type: 'StockReleased'; data: Record<string, never> }
  | { type: 'OrderConfirmed'; data: Record<string, never> }
  | { type: 'OrderCancelled'; data: { reason: CancelReason; refunded: boolean } };

export type OrderEventType = OrderEvent['type'];

/** An event as stored: its place in the stream and when it happened. */
export type RecordedEvent = OrderEvent & { version: number; occurredAt: Date };
