import type { Api, DbPool } from '@faultline/platform';
import { z } from 'zod';
import { auditLedger } from '../use-cases/audit-ledger.js';

const orderLedger = z.object({ orderId: z.uuid(), captures: z.number(), refunds: z.number(), capturedAmount: z.number(), refundedAmount: z.number() });
const auditSchema = z.object({
  balanced: z.boolean(),
  complete: z.boolean(),
  transactions: z.number(),
  totals: z.record(z.string(), z.number()),
  unbalancedTransactions: z.array(z.string()),
  paymentsMissingEntries: z.array(z.string()),
  doubleCaptured: z.array(z.string()),
  orders: z.array(orderLedger),
});

export function ledgerRoutes(api: Api, pool: DbPool): void {
  api.route(
    {
      method: 'get',
      path: '/v1/ledger/audit',
      summary: 'Audit the ledger: balanced, complete, no order captured twice (admin)',
      tags: ['ledger'],
      auth: 'admin',
      query: z.object({ orderId: z.uuid().optional() }),
      responses: {
        200: { description: 'the audit', schema: auditSchema },
        401: { description: 'unauthorized' },
        403: { description: 'forbidden: admin only' },
      },
    },
    async ({ query }) => ({ status: 200, body: await auditLedger(pool, query.orderId) }),
  );
}
