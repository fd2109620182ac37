import { type Api, type DbPool, errors } from '@faultline/platform';
import { type CheckoutContext, placeOrder } from '../use-cases/place-order.js';
import { listMyOrders, viewOrder } from '../use-cases/view-orders.js';
import { principalOf } from './principal.js';
import { checkoutBodySchema, orderIdParamsSchema, orderSchema, pagedOrdersSchema, pageQuerySchema } from './schemas.js';

function idempotencyKeyOf(header: string | undefined): string {
  const key = header?.trim();
  if (!key || key.length > 200)
    throw errors.validation('send an Idempotency-Key header (1 to 200 characters)', [
      { in: 'header', path: 'idempotency-key', message: 'required, at most 200 characters' },
    ]);
  return key;
}

export function orderRoutes(api: Api, { pool, checkout }: { pool: DbPool; checkout: CheckoutContext }): void {
  const common = { tags: ['orders'], auth: 'user' as const };
  api.route(
    {
      ...common,
      method: 'post',
      path: '/v1/orders',
      summary: 'Check out (requires an Idempotency-Key header); items default to the cart',
      body: checkoutBodySchema,
      responses: {
        201: { description: 'the saga finished: the order is confirmed or cancelled', schema: orderSchema },
        202: { description: 'accepted: the order is pending and completes in the background (see Location)', schema: orderSchema },
        422: { description: 'cart-empty, idempotency-key-reused' },
      },
    },
    async ({ req, body }) => {
      const idempotencyKey = idempotencyKeyOf(req.get('idempotency-key'));
      const { order, finished } = await placeOrder(checkout, { userId: principalOf(req).userId, idempotencyKey, items: body.items, cardToken: body.cardToken });
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
    async ({ req, query }) => ({ status: 200, body: await listMyOrders(pool, principalOf(req), query) }),
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
    async ({ req, params }) => ({ status: 200, body: await viewOrder(pool, principalOf(req), params.id) }),
  );
}
