import { AppError } from '@faultline/platform';

/** The product service's own failures; every one names what it is about. */
export const productErrors = {
  productNotFound: (productId: string) =>
    new AppError('product-not-found', 404, 'Product not found', { detail: `no product ${productId}`, extensions: { productId } }),
  /** A reservation naming products that do not exist: the request cannot be processed as sent. */
  unknownProducts: (productIds: string[]) =>
    new AppError('product-not-found', 422, 'Product not found', { detail: `no product ${productIds.join(', ')}`, extensions: { productIds } }),
  outOfStock: (shortages: { productId: string; requested: number; available: number }[]) =>
    new AppError('out-of-stock', 409, 'Not enough stock', {
      detail: `not enough stock for ${shortages.map((s) => `${s.productId} (requested ${s.requested}, available ${s.available})`).join(', ')}`,
      extensions: { productIds: shortages.map((s) => s.productId), shortages },
    }),
  reservationNotFound: (reservationId: string) =>
    new AppError('reservation-not-found', 404, 'Reservation not found', { detail: `no reservation ${reservationId}`, extensions: { reservationId } }),
  reservationMismatch: (reservationId: string) =>
    new AppError('reservation-mismatch', 409, 'Reservation id reused with different content', {
      detail: `reservation ${reservationId} exists with a different order or items`,
      extensions: { reservationId },
    }),
  reservationReleased: (reservationId: string) =>
    new AppError('reservation-released', 409, 'Reservation already released', {
      detail: `reservation ${reservationId} was released and cannot be committed`,
      extensions: { reservationId },
    }),
  reservationCommitted: (reservationId: string) =>
    new AppError('reservation-committed', 409, 'Reservation already committed', {
      detail: `reservation ${reservationId} was committed and cannot be released`,
      extensions: { reservationId },
    }),
  stockBelowHeld: (productId: string, stock: number, held: number) =>
    new AppError('stock-below-held', 409, 'Stock cannot go below what is held', {
      detail: `product ${productId} has ${held} units held by reservations; stock ${stock} is too low`,
      extensions: { productId, held },
    }),
};
