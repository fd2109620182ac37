import { type DbPool, errors, type Principal } from '@faultline/platform';
import type { OrderStatus } from '../domain/order.js';
import { findOrderView, listOrderViews, type OrderView, type Page } from '../store/order-views.js';
import { listOpenSagas, type OpenSaga } from '../store/saga-store.js';

export interface Paged<T> {
  items: T[];
  limit: number;
  offset: number;
  nextOffset: number | null;
}

const paged = <T>(items: T[], page: Page): Paged<T> => ({ items, ...page, nextOffset: items.length === page.limit ? page.offset + page.limit : null });

/** A customer sees their own orders; an admin sees any. Someone else's order does not exist for them. */
export async function viewOrder(pool: DbPool, principal: Principal, orderId: string): Promise<OrderView> {
  const order = await findOrderView(pool, orderId);
  if (!order || (order.userId !== principal.userId && !principal.roles.includes('admin'))) throw errors.notFound('order', `no order ${orderId}`);
  return order;
}

export async function listMyOrders(pool: DbPool, principal: Principal, page: Page): Promise<Paged<OrderView>> {
  return paged(await listOrderViews(pool, { userId: principal.userId }, page), page);
}

/** Admin audit: orders with their payment and reservation ids, to cross-check with payment and product. */
export async function listOrders(pool: DbPool, status: OrderStatus | undefined, page: Page): Promise<Paged<OrderView>> {
  return paged(await listOrderViews(pool, status ? { status } : {}, page), page);
}

/** Admin audit: sagas not yet done, older than `olderThanSec`. */
export async function listOpenSagasOlderThan(pool: DbPool, olderThanSec: number, page: Page): Promise<{ items: OpenSaga[] }> {
  return { items: await listOpenSagas(pool, olderThanSec, page.limit) };
}
