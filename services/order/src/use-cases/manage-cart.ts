import { AppError, type DbPool } from '@faultline/platform';
import type { RequestedLine } from '../domain/order-events.js';
import { clearCart, loadCart, setCartLine } from '../store/cart-store.js';

/** As many lines as one reservation may hold. */
export const MAX_CART_LINES = 50;

export interface Cart {
  items: RequestedLine[];
}

export async function viewCart(pool: DbPool, userId: string): Promise<Cart> {
  return { items: await loadCart(pool, userId) };
}

/** Put `quantity` of a product in the cart (0 takes it out). */
export async function setCartItem(pool: DbPool, userId: string, productId: string, quantity: number): Promise<Cart> {
  if (quantity > 0) {
    const cart = await loadCart(pool, userId);
    if (!cart.some((line) => line.productId === productId) && cart.length >= MAX_CART_LINES)
      throw new AppError('cart-full', 422, 'Cart is full', { detail: `a cart holds at most ${MAX_CART_LINES} products` });
  }
  await setCartLine(pool, userId, productId, quantity);
  return viewCart(pool, userId);
}

export async function emptyCart(pool: DbPool, userId: string): Promise<void> {
  await clearCart(pool, userId);
}
