import type { Reservation } from '@faultline/contracts';
import { withTransaction } from '@faultline/platform';
import type { ProductDeps } from '../deps.js';
import { productErrors } from '../errors.js';
import { findReservation } from '../store/reservations.js';
import { endHolds, lockStock } from '../store/stock.js';

/**
 * The order is paid: the held units leave the stock for good. Committing twice is harmless;
 * a released reservation cannot be committed (its units may already be sold to someone else).
 */
export async function commitReservation(ctx: ProductDeps, reservationId: string): Promise<Reservation> {
  const { reservation, changed } = await withTransaction(ctx.pool, async (tx) => {
    const found = await findReservation(tx, reservationId, true);
    if (!found) throw productErrors.reservationNotFound(reservationId);
    if (found.status === 'committed') return { reservation: found, changed: false };
    if (found.status === 'released') throw productErrors.reservationReleased(reservationId);
    await lockStock(
      tx,
      found.items.map((i) => i.productId),
    );
    await endHolds(tx, reservationId, found.items, 'committed');
    return { reservation: { ...found, status: 'committed' as const }, changed: true };
  });
  if (changed) {
    ctx.inventory.closed.inc({ outcome: 'committed' });
    ctx.logger.info('reservation committed', { reservationId, orderId: reservation.orderId });
  }
  return reservation;
}
