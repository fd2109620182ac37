import { type Api, callerOf, type DbPool } from '@faultline/platform';
import { type CheckoutContext, placeOrder } from '../use-cases/place-order.js';
import { listMyOrders, viewOrder } from '../use-cases/view-orders.js';
import { checkoutBodySchema, orderIdParamsSchema, orderSchema, pagedOrdersSchema, pageQuerySchema } from './schemas.js';

export function orderRoutes(api: Api, { pool, checkout }: { pool: DbPool; checkout: CheckoutContext }): void {
  const common = { tags: ['orders'], auth: 'user' as const };
  api.route(
    {
      ...common,
      method: 'post',
      path: '/v1/orders',
      summary: 'Check out (requires an Idempotency-Key header); items default to the cart',
      idempotencyKey: true,
      body: checkoutBodySchema,
      responses: {
        201: { description: 'the saga finished: the order is confirmed or cancelled', schema: orderSchema },
        202: { description: 'accepted: the order is pending and completes in the background (see Location)', schema: orderSchema },
        422: { description: 'cart-empty, idempotency-key-reused' },
      },
    },
    async ({ req, body, idempotencyKey }) => {
      const { order, finished } = await placeOrder(checkout, { userId: callerOf(req).userId, idempotencyKey, items: body.items, cardToken: body.cardToken });
      return { status: finished ? 201 : 202, body: order, headers: { location: `/v1/orders/${order.orderId}` } };
    },
  );
  api.route(
    {
      ...common,
      method: 'get',
      path: '/v1/orders',
      summary: 'Your orders, newest first',
      query: pageQuerySchema,
      responses: { 200: { description: 'a page of orders', schema: pagedOrdersSchema } },
    },
    async ({ req, query }) => ({ status: 200, body: await listMyOrders(pool, callerOf(req), query) }),
  );
  api.route(
    {
      ...common,
      method: 'get',
      path: '/v1/orders/:id',
      summary: 'One of your orders',
      params: orderIdParamsSchema,
      responses: { 200: { description: 'the order', schema: orderSchema }, 404: { description: 'order-not-found' } },
    },
    async ({ req, params }) => ({ status: 200, body: await viewOrder(pool, callerOf(req), params.id) }),
  );
}
