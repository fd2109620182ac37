import { amountSchema, providerChargeRequestSchema, providerChargeSchema } from '@faultline/contracts';
import { type Api, type DbPool, errors, type Logger } from '@faultline/platform';
import { z } from 'zod';
import { chargeStatement, findCharge, listCharges } from '../store/charges.js';
import { createCharge } from '../use-cases/create-charge.js';
import { refundCharge } from '../use-cases/refund-charge.js';

const tags = ['card processor'];
const replayHeader = (replayed: boolean): Record<string, string> => (replayed ? { 'idempotent-replayed': 'true' } : {});
const chargeParams = z.object({ id: z.string().min(1).max(100) });

export function chargeRoutes(api: Api, deps: { pool: DbPool; logger: Logger }): void {
  api.route(
    {
      method: 'post',
      path: '/v1/charges',
      auth: 'public',
      summary: 'Charge a card (Idempotency-Key required; tok_visa succeeds, tok_declined is declined, tok_processor_error fails)',
      tags,
      idempotencyKey: true,
      body: providerChargeRequestSchema,
      responses: {
        201: { description: 'charged (or the replay of the charge made under this key)', schema: providerChargeSchema },
        402: { description: 'card-declined' },
        409: { description: 'idempotency-key-reused: the key was used with a different request' },
        422: { description: 'unknown-card-token' },
        500: { description: 'processor-error' },
      },
    },
    async ({ body, idempotencyKey }) => {
      const { charge, replayed } = await createCharge(deps, body, idempotencyKey);
      return { status: 201, body: charge, headers: replayHeader(replayed) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/charges',
      auth: 'public',
      summary: 'List charges, oldest first (by reference: how a caller resolves an unknown outcome)',
      tags,
      query: z.object({ reference: z.string().min(1).max(100).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      responses: { 200: { description: 'the charges', schema: z.object({ charges: z.array(providerChargeSchema) }) } },
    },
    async ({ query }) => ({ status: 200, body: { charges: await listCharges(deps.pool, query) } }),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/statement',
      auth: 'public',
      summary: "The processor's statement: charges, references, and every reference charged more than once (the lab's audit reads it)",
      tags,
      responses: {
        200: {
          description: 'the statement',
          schema: z.object({
            charges: z.number().int(),
            references: z.number().int(),
            repeated: z.array(z.object({ reference: z.string(), charges: z.number().int(), unrefunded: z.number().int(), kept: z.number().int() })),
          }),
        },
      },
    },
    async () => ({ status: 200, body: await chargeStatement(deps.pool) }),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/charges/:id',
      auth: 'public',
      summary: 'Get a charge',
      tags,
      params: chargeParams,
      responses: { 200: { description: 'the charge', schema: providerChargeSchema }, 404: { description: 'charge-not-found' } },
    },
    async ({ params }) => {
      const charge = await findCharge(deps.pool, params.id);
      if (!charge) throw errors.notFound('charge', `no charge ${params.id}`);
      return { status: 200, body: charge };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/charges/:id/refunds',
      auth: 'public',
      summary: 'Refund part or all of a charge (Idempotency-Key required)',
      tags,
      idempotencyKey: true,
      params: chargeParams,
      body: z.object({ amount: amountSchema.min(1) }),
      responses: {
        201: {
          description: 'refunded (or the replay of the refund made under this key)',
          schema: z.object({
            refundId: z.string(),
            chargeId: z.string(),
            amount: amountSchema,
            refundedAmount: amountSchema,
            status: providerChargeSchema.shape.status,
          }),
        },
        404: { description: 'charge-not-found' },
        409: { description: 'idempotency-key-reused' },
        422: { description: 'refund-exceeds-charge' },
      },
    },
    async ({ params, body, idempotencyKey }) => {
      const { refund, replayed } = await refundCharge(deps, params.id, body.amount, idempotencyKey);
      return { status: 201, body: refund, headers: replayHeader(replayed) };
    },
  );
}
