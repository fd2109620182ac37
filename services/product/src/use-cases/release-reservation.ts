import type { Reservation } from '@faultline/contracts';
import { withTransaction } from '@faultline/platform';
import type { ProductDeps } from '../deps.js';
import { productErrors } from '../errors.js';
import { findReservation, findStaleHolds } from '../store/reservations.js';
import { endHolds, lockStock } from '../store/stock.js';

/** Give the held units back (held → released), unless the hold has already ended. */
async function release(ctx: ProductDeps, reservationId: string, outcome: 'released' | 'expired') {
  const result = await withTransaction(ctx.pool, async (tx) => {
    const found = await findReservation(tx, reservationId, true);
    if (!found) throw productErrors.reservationNotFound(reservationId);
    if (found.status !== 'held') return { reservation: found, changed: false };
    await lockStock(
      tx,
      found.items.map((i) => i.productId),
    );
    await endHolds(tx, reservationId, found.items, 'released');
    return { reservation: { ...found, status: 'released' as const }, changed: true };
  });
  if (!result.changed) return result;
  const { orderId, items } = result.reservation;
  if (outcome === 'released') ctx.logger.info('reservation released', { reservationId, orderId });
  else {
    const units = items.reduce((sum, item) => sum + item.quantity, 0);
    ctx.inventory.expiredUnits.inc(units);
    ctx.logger.warn('reservation expired', {
      reservationId,
      orderId,
      products: items.map((item) => `${item.productId}×${item.quantity}`),
      units,
      ttlSec: ctx.config.RESERVATION_HOLD_TTL_SEC,
    });
  }
  return result;
}

/**
 * The saga compensates: the held units become available again. Releasing twice is harmless;
 * a committed reservation cannot be released (the order owns those units now).
 */
export async function releaseReservation(ctx: ProductDeps, reservationId: string): Promise<Reservation> {
  const { reservation, changed } = await release(ctx, reservationId, 'released');
  if (reservation.status === 'committed') throw productErrors.reservationCommitted(reservationId);
  if (changed) ctx.inventory.closed.inc({ outcome: 'released' });
  return reservation;
}

/** Release holds older than the TTL (leaked by a saga that never came back); returns how many. */
export async function expireStaleHolds(ctx: ProductDeps, batch = 100): Promise<number> {
  const stale = await findStaleHolds(ctx.pool, ctx.config.RESERVATION_HOLD_TTL_SEC, batch);
  let expired = 0;
  for (const reservationId of stale) {
    const { changed } = await release(ctx, reservationId, 'expired');
    if (changed) expired += 1;
  }
  if (expired > 0) ctx.inventory.closed.inc({ outcome: 'expired' }, expired);
  return expired;
}
