import type { Api, DbPool } from '@faultline/platform';
import { z } from 'zod';
import { listOpenSagasOlderThan, listOrders } from '../use-cases/view-orders.js';
import { openSagaSchema, orderStatusSchema, pagedOrdersSchema, pageQuerySchema } from './schemas.js';

/** The oldest age worth asking about; beyond it PostgreSQL's interval arithmetic overflows (a 500 before this bound). */
const TEN_YEARS_SEC = 10 * 365 * 24 * 3600;

/** The invariant audit's view: orders with their payment and reservation ids, and sagas that have not ended. */
export function adminRoutes(api: Api, { pool }: { pool: DbPool }): void {
  const common = { tags: ['admin'], auth: 'admin' as const };
  api.route(
    {
      ...common,
      method: 'get',
      path: '/v1/admin/orders',
      summary: 'All orders (optionally by status), with paymentId and reservationId',
      query: pageQuerySchema.extend({ status: orderStatusSchema.optional() }),
      responses: { 200: { description: 'a page of orders', schema: pagedOrdersSchema } },
    },
    async ({ query }) => ({ status: 200, body: await listOrders(pool, query.status, query) }),
  );
  api.route(
    {
      ...common,
      method: 'get',
      path: '/v1/admin/sagas',
      summary: 'Sagas not yet done, older than olderThanSec, oldest first',
      query: z.object({ olderThanSec: z.coerce.number().min(0).max(TEN_YEARS_SEC).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      responses: { 200: { description: 'open sagas and their age', schema: z.object({ items: z.array(openSagaSchema) }) } },
    },
    async ({ query }) => ({ status: 200, body: await listOpenSagasOlderThan(pool, query.olderThanSec, { limit: query.limit, offset: 0 }) }),
  );
}
