import { paymentSchema } from '@faultline/contracts';
import { type Api, callerOf } from '@faultline/platform';
import { z } from 'zod';
import type { PaymentDeps } from '../deps.js';
import { listPaymentsOfUser, publicPayment } from '../store/payments.js';

/** The caller's own payments, newest first (registered before `/v1/payments/:id`). */
export function historyRoutes(api: Api, deps: PaymentDeps): void {
  api.route(
    {
      method: 'get',
      path: '/v1/payments/history',
      summary: 'My payments, newest first',
      tags: ['payments'],
      auth: 'user',
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      responses: { 200: { description: 'the caller’s payments', schema: z.object({ items: z.array(paymentSchema) }) }, 401: { description: 'unauthorized' } },
    },
    async ({ query, req }) => {
      const userId = callerOf(req).userId;
      return { status: 200, body: { items: (await listPaymentsOfUser(deps.pool, userId, query.limit)).map(publicPayment) } };
    },
  );
}
