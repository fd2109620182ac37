import { reservationSchema } from '@faultline/contracts';
import type { Api } from '@faultline/platform';
import type { ProductDeps } from '../deps.js';
import { productErrors } from '../errors.js';
import { idParams, reservationBodySchema } from '../schemas.js';
import { findReservation } from '../store/reservations.js';
import { commitReservation } from '../use-cases/commit-reservation.js';
import { releaseReservation } from '../use-cases/release-reservation.js';
import { reserveStock } from '../use-cases/reserve-stock.js';

/** Inventory reservations, called by the order saga: a service token with the operation's scope. */
export function reservationRoutes(api: Api, ctx: ProductDeps): void {
  const tags = ['reservations'];
  const one = { description: 'the reservation', schema: reservationSchema };
  const missing = { description: 'reservation-not-found' };

  api.route(
    {
      method: 'post',
      path: '/v1/reservations',
      summary: 'Hold stock for an order: all or nothing, idempotent by reservationId',
      tags,
      auth: { service: 'reservations:create' },
      body: reservationBodySchema,
      responses: {
        201: { description: 'held', schema: reservationSchema },
        200: { description: 'a retry: the reservation as first made', schema: reservationSchema },
        400: { description: 'invalid input, naming the field' },
        409: { description: 'out-of-stock (nothing held) or reservation-mismatch' },
        422: { description: 'product-not-found, naming the products' },
      },
    },
    async ({ body }) => {
      const { reservation, created } = await reserveStock(ctx, body);
      return { status: created ? 201 : 200, body: reservation, ...(created ? { headers: { location: `/v1/reservations/${reservation.reservationId}` } } : {}) };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/reservations/:id',
      summary: 'A reservation and its status',
      tags,
      auth: { service: 'reservations:read' },
      params: idParams,
      responses: { 200: one, 404: missing },
    },
    async ({ params }) => {
      const reservation = await findReservation(ctx.pool, params.id);
      if (!reservation) throw productErrors.reservationNotFound(params.id);
      return { status: 200, body: reservation };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/reservations/:id/commit',
      summary: 'The order is paid: held units leave the stock (idempotent)',
      tags,
      auth: { service: 'reservations:commit' },
      params: idParams,
      responses: { 200: one, 404: missing, 409: { description: 'reservation-released' } },
    },
    async ({ params }) => ({ status: 200, body: await commitReservation(ctx, params.id) }),
  );

  api.route(
    {
      method: 'post',
      path: '/v1/reservations/:id/release',
      summary: 'Compensation: held units become available again (idempotent)',
      tags,
      auth: { service: 'reservations:release' },
      params: idParams,
      responses: { 200: one, 404: missing, 409: { description: 'reservation-committed' } },
    },
    async ({ params }) => ({ status: 200, body: await releaseReservation(ctx, params.id) }),
  );
}
