import { chargeRequestSchema, reservationRequestSchema } from '@faultline/contracts';
import { z } from 'zod';

const line = z.object({ productId: z.uuid(), quantity: z.number().int().min(1).max(100) });

export const cartSchema = z.object({ items: z.array(line) }).meta({ id: 'Cart' });
export const cartLineBodySchema = z.object({ quantity: z.number().int().min(0).max(100) });

export const checkoutBodySchema = z.object({
  /** Defaults to the cart's lines. */
  items: reservationRequestSchema.shape.items.optional(),
  cardToken: chargeRequestSchema.shape.cardToken,
});

export const orderStatusSchema = z.enum(['pending', 'confirmed', 'cancelled']);

export const orderSchema = z
  .object({
    orderId: z.uuid(),
    userId: z.string(),
    status: orderStatusSchema,
    items: z.array(line.extend({ unitPrice: z.number().int().optional() })),
    total: z.number().int().nullable(),
    currency: z.literal('EUR'),
    reservationId: z.uuid(),
    paymentId: z.uuid().nullable(),
    cancelReason: z.string().nullable(),
    refunded: z.boolean(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Order' });

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

export const pagedOrdersSchema = z.object({ items: z.array(orderSchema), limit: z.number(), offset: z.number(), nextOffset: z.number().nullable() });

export const openSagaSchema = z.object({
  orderId: z.uuid(),
  step: z.string(),
  attempts: z.number().int(),
  cancelReason: z.string().nullable(),
  lastError: z.string().nullable(),
  startedAt: z.string(),
  nextAttemptAt: z.string(),
  ageSec: z.number(),
  leased: z.boolean(),
});

export const orderIdParamsSchema = z.object({ id: z.uuid() });
