import { z } from 'zod';
import { amountSchema, currencySchema } from './money.js';

/**
 * Domain events on the one topic exchange. Routing key = `<aggregate>.<past-tense-verb>`;
 * every message is an envelope `{ id, type, occurredAt, data }` whose `data` matches the schema
 * registered here under its routing key.
 */
export const EXCHANGE = 'faultline.events';

const orderLine = z.object({ productId: z.uuid(), quantity: z.number().int().min(1).max(100), unitPrice: amountSchema });

export const eventSchemas = {
  'user.registered': z.object({ userId: z.uuid(), email: z.email(), name: z.string().min(1).max(100) }),
  'order.confirmed': z.object({ orderId: z.uuid(), userId: z.uuid(), items: z.array(orderLine).min(1), total: amountSchema, currency: currencySchema }),
  'order.cancelled': z.object({
    orderId: z.uuid(),
    userId: z.uuid(),
    /** `payment-mismatch`: the captured payment was not the order's (amount, currency or user); `payment-refunded`: refunded at payment. */
    reason: z.enum(['out-of-stock', 'payment-declined', 'payment-failed', 'payment-mismatch', 'payment-refunded', 'saga-timeout', 'customer-request']),
    refunded: z.boolean(),
  }),
  'payment.authorized': z.object({ paymentId: z.uuid(), orderId: z.uuid(), userId: z.uuid(), amount: amountSchema, currency: currencySchema }),
  'payment.declined': z.object({ orderId: z.uuid(), userId: z.uuid(), amount: amountSchema, currency: currencySchema, reason: z.string().max(200) }),
  'payment.refunded': z.object({ paymentId: z.uuid(), orderId: z.uuid(), userId: z.uuid(), amount: amountSchema, currency: currencySchema }),
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;

/** The envelope every message carries. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  occurredAt: string;
  data: EventData<T>;
}
