import { z } from 'zod';
import { amountSchema, currencySchema } from './money.js';

/**
 * How long a stock hold may live, in seconds: product's sweep releases an older hold, and product's
 * audit and `faultline audit` call an older hold leaked — one threshold for the one invariant. It
 * is longer than order's saga timeout (600 s), so a saga gives up on its hold before product does.
 */
export const HOLD_TTL_SEC = 900;

/** product ← order: reserve stock for an order, all-or-nothing, idempotent by reservation id. */
export const reservationRequestSchema = z.object({
  reservationId: z.uuid(),
  orderId: z.uuid(),
  items: z
    .array(z.object({ productId: z.uuid(), quantity: z.number().int().min(1).max(100) }))
    .min(1)
    .max(50),
});
export const reservationSchema = z.object({
  reservationId: z.uuid(),
  orderId: z.uuid(),
  status: z.enum(['held', 'committed', 'released']),
  items: z.array(z.object({ productId: z.uuid(), quantity: z.number().int(), unitPrice: amountSchema })),
});
export type ReservationRequest = z.infer<typeof reservationRequestSchema>;
export type Reservation = z.infer<typeof reservationSchema>;

/** payment ← order: charge an order once (Idempotency-Key = order id). */
export const chargeRequestSchema = z.object({
  orderId: z.uuid(),
  userId: z.uuid(),
  amount: amountSchema.min(1),
  currency: currencySchema,
  cardToken: z.string().min(3).max(64),
});
export const paymentSchema = z.object({
  paymentId: z.uuid(),
  orderId: z.uuid(),
  userId: z.uuid(),
  amount: amountSchema,
  currency: currencySchema,
  status: z.enum(['captured', 'declined', 'refunded']),
  declineReason: z.string().optional(),
  createdAt: z.string(),
});
export type ChargeRequest = z.infer<typeof chargeRequestSchema>;
export type Payment = z.infer<typeof paymentSchema>;

/** providers (the outside world): card processor and message sink. */
export const TEST_CARD_TOKENS = {
  /** Always succeeds. */
  success: 'tok_visa',
  /** Always declined (402 card-declined). */
  declined: 'tok_declined',
  /** Always fails with 500 (a broken processor). */
  failure: 'tok_processor_error',
} as const;

export const providerChargeRequestSchema = z.object({
  amount: amountSchema.min(1),
  currency: currencySchema,
  cardToken: z.string().min(3).max(64),
  reference: z.string().min(1).max(100),
});
export const providerChargeSchema = z.object({
  chargeId: z.string(),
  reference: z.string(),
  amount: amountSchema,
  currency: currencySchema,
  status: z.enum(['succeeded', 'refunded']),
  refundedAmount: amountSchema,
});
export const providerMessageRequestSchema = z.object({
  channel: z.enum(['email', 'sms']),
  to: z.string().min(3).max(200),
  subject: z.string().max(200).optional(),
  body: z.string().min(1).max(5000),
  reference: z.string().min(1).max(100),
});
export type ProviderCharge = z.infer<typeof providerChargeSchema>;
export type ProviderMessageRequest = z.infer<typeof providerMessageRequestSchema>;
