import { type Api, callerOf, type DbPool } from '@faultline/platform';
import { z } from 'zod';
import { emptyCart, setCartItem, viewCart } from '../use-cases/manage-cart.js';
import { cartLineBodySchema, cartSchema } from './schemas.js';

export function cartRoutes(api: Api, { pool }: { pool: DbPool }): void {
  const common = { tags: ['cart'], auth: 'user' as const };
  api.route(
    { ...common, method: 'get', path: '/v1/cart', summary: 'Your cart', responses: { 200: { description: 'the cart', schema: cartSchema } } },
    async ({ req }) => ({
      status: 200,
      body: await viewCart(pool, callerOf(req).userId),
    }),
  );
  api.route(
    {
      ...common,
      method: 'put',
      path: '/v1/cart/items/:productId',
      summary: 'Set the quantity of a product in your cart (0 removes it)',
      params: z.object({ productId: z.uuid() }),
      body: cartLineBodySchema,
      responses: { 200: { description: 'the cart', schema: cartSchema }, 422: { description: 'cart-full' } },
    },
    async ({ req, params, body }) => ({ status: 200, body: await setCartItem(pool, callerOf(req).userId, params.productId, body.quantity) }),
  );
  api.route({ ...common, method: 'delete', path: '/v1/cart', summary: 'Empty your cart', responses: { 204: { description: 'emptied' } } }, async ({ req }) => {
    await emptyCart(pool, callerOf(req).userId);
    return { status: 204 };
  });
}
