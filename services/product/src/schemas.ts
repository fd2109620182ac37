import { amountSchema, currencySchema, reservationRequestSchema } from '@faultline/contracts';
import { z } from 'zod';

/** A product as the API shows it; `available` = stock - held. */
export const productSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    price: amountSchema,
    currency: currencySchema,
    stock: z.number().int(),
    available: z.number().int(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Product' });
export type Product = z.infer<typeof productSchema>;

export const productPageSchema = z.object({ items: z.array(productSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
export type ProductPage = z.infer<typeof productPageSchema>;

export const MAX_PAGE_SIZE = 100;
export const catalogQuerySchema = z.object({
  q: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});
export type CatalogQuery = z.infer<typeof catalogQuerySchema>;

const name = z.string().trim().min(1).max(200);
const description = z.string().max(2000);
const stock = z.number().int().min(0).max(10_000_000);

export const newProductSchema = z.object({ id: z.uuid().optional(), name, description: description.default(''), price: amountSchema, stock: stock.default(0) });
export type NewProduct = z.infer<typeof newProductSchema>;

export const productChangesSchema = z
  .object({ name: name.optional(), description: description.optional(), price: amountSchema.optional() })
  .refine((changes) => Object.values(changes).some((v) => v !== undefined), { message: 'send at least one of name, description, price' });
export type ProductChanges = z.infer<typeof productChangesSchema>;

export const stockLevelSchema = z.object({ stock });

export const idParams = z.object({ id: z.uuid() });

/** The contract's request, plus one rule: a product appears once per reservation. */
export const reservationBodySchema = reservationRequestSchema.superRefine((request, ctx) => {
  const seen = new Set<string>();
  request.items.forEach((item, index) => {
    if (seen.has(item.productId)) ctx.addIssue({ code: 'custom', path: ['items', index, 'productId'], message: `product ${item.productId} appears twice` });
    seen.add(item.productId);
  });
});

export const auditQuerySchema = z.object({
  leakedAfterSec: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .optional(),
});

const auditLineSchema = z.object({
  productId: z.uuid(),
  name: z.string(),
  stock: z.number().int(),
  held: z.number().int(),
  heldByReservations: z.number().int(),
  committed: z.number().int(),
  available: z.number().int(),
  activeHolds: z.number().int(),
  leakedHolds: z.number().int(),
  issues: z.array(z.enum(['negative-available', 'held-mismatch', 'leaked-holds'])),
});
export type AuditLine = z.infer<typeof auditLineSchema>;
/** One reservation still held: whose order it is, what it holds, and whether it outlived the TTL. */
const auditHoldSchema = z.object({
  reservationId: z.uuid(),
  orderId: z.uuid(),
  units: z.number().int(),
  ageSec: z.number().int(),
  leaked: z.boolean(),
});
export type AuditHold = z.infer<typeof auditHoldSchema>;
export const auditSchema = z.object({
  consistent: z.boolean(),
  checkedAt: z.string(),
  leakedAfterSec: z.number().int(),
  totals: z.object({
    stock: z.number().int(),
    held: z.number().int(),
    committed: z.number().int(),
    activeHolds: z.number().int(),
    leakedHolds: z.number().int(),
  }),
  products: z.array(auditLineSchema),
  /** Every reservation still held, oldest first (at most 1000). */
  holds: z.array(auditHoldSchema),
});
export type Audit = z.infer<typeof auditSchema>;
