import type { Reservation, ReservationRequest } from '@faultline/contracts';
import { isAppError, withTransaction } from '@faultline/platform';
import type { ProductDeps } from '../deps.js';
import { productErrors } from '../errors.js';
import { claimReservation, findReservation } from '../store/reservations.js';
import { holdForReservation, lockStock } from '../store/stock.js';

export interface ReserveResult {
  reservation: Reservation;
  /** False when this was a retry of a reservation made earlier. */
  created: boolean;
}

const sameContent = (existing: Reservation, request: ReservationRequest) => {
  const key = (items: { productId: string; quantity: number }[]) =>
    items
      .map((i) => `${i.productId}:${i.quantity}`)
      .sort()
      .join(',');
  return existing.orderId === request.orderId && key(existing.items) === key(request.items);
};

/**
 * Hold stock for an order, all or nothing: every item is held at its current price, or none is.
 * A retry with the same reservation id gets the first answer; a different request under the same
 * id is refused. Rows are locked in product id order, so concurrent checkouts never oversell.
 */
export async function reserveStock(ctx: ProductDeps, request: ReservationRequest): Promise<ReserveResult> {
  try {
    const result = await withTransaction(ctx.pool, async (tx) => {
      // A concurrent duplicate waits here on the first one's uncommitted row, then sees it.
      if (!(await claimReservation(tx, request.reservationId, request.orderId))) {
        const existing = (await findReservation(tx, request.reservationId)) as Reservation;
        if (!sameContent(existing, request)) throw productErrors.reservationMismatch(request.reservationId);
        return { reservation: existing, created: false };
      }

      const items = [...request.items].sort((a, b) => a.productId.localeCompare(b.productId));
      const rows = new Map(
        (
          await lockStock(
            tx,
            items.map((i) => i.productId),
          )
        ).map((row) => [row.id, row]),
      );
      const unknown = items.filter((i) => !rows.has(i.productId)).map((i) => i.productId);
      if (unknown.length > 0) throw productErrors.unknownProducts(unknown);

      const shortages = items.flatMap((item) => {
        const row = rows.get(item.productId);
        const available = row ? row.stock - row.held : 0;
        return available < item.quantity ? [{ productId: item.productId, requested: item.quantity, available: Math.max(0, available) }] : [];
      });
      if (shortages.length > 0) throw productErrors.outOfStock(shortages);

      const held = items.map((item) => ({ ...item, unitPrice: rows.get(item.productId)?.price ?? 0 }));
      await holdForReservation(tx, request.reservationId, held);
      return { reservation: { reservationId: request.reservationId, orderId: request.orderId, status: 'held' as const, items: held }, created: true };
    });
    ctx.inventory.reservations.inc({ outcome: result.created ? 'held' : 'duplicate' });
    if (result.created) ctx.logger.info('stock reserved', { reservationId: request.reservationId, orderId: request.orderId, items: request.items.length });
    return result;
  } catch (error) {
    if (isAppError(error)) ctx.inventory.reservations.inc({ outcome: error.errorName === 'out-of-stock' ? 'out_of_stock' : 'rejected' });
    throw error;
  }
}
