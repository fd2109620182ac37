import { chargeRequestSchema, paymentSchema } from '@faultline/contracts';
import type { Api } from '@faultline/platform';
import { z } from 'zod';
import type { PaymentDeps } from '../deps.js';
import { requireOrderKey } from '../idempotency-key.js';
import { publicPayment } from '../store/payments.js';
import { authorizePayment } from '../use-cases/authorize-payment.js';
import { findPayment, findPaymentOfOrder } from '../use-cases/find-payment.js';
import { refundPayment } from '../use-cases/refund-payment.js';

const tags = ['payments'];
const unknownOutcome = {
  502: { description: 'dependency-failed: the card processor failed; outcome unknown, retry with the same key' },
  503: { description: 'circuit-open or bulkhead-full: the card processor is unavailable; outcome unknown, retry later' },
  504: { description: 'dependency-timeout: the card processor did not answer; outcome unknown, retry with the same key' },
};
const replayHeader = (replayed: boolean): Record<string, string> => (replayed ? { 'idempotent-replayed': 'true' } : {});
const byId = z.object({ id: z.uuid() });

export function paymentRoutes(api: Api, deps: PaymentDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/payments',
      summary: 'Charge an order once (Idempotency-Key: the order id)',
      tags,
      auth: { service: 'payments:charge' },
      idempotencyKey: true,
      body: chargeRequestSchema,
      responses: {
        201: { description: 'captured (or the order’s payment, when retried)', schema: paymentSchema },
        402: { description: 'payment-declined' },
        409: { description: 'idempotency-key-reused: the order was charged with another user or amount' },
        422: { description: 'idempotency-key-mismatch, or unknown-card-token' },
        ...unknownOutcome,
      },
    },
    async ({ body, idempotencyKey }) => {
      requireOrderKey(idempotencyKey, body.orderId);
      const { payment, replayed } = await authorizePayment(deps, body);
      return { status: 201, body: publicPayment(payment), headers: { location: `/v1/payments/${payment.paymentId}`, ...replayHeader(replayed) } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/payments',
      summary: 'The payment of an order (resolves an unknown outcome with the card processor)',
      tags,
      auth: { service: 'payments:read' },
      query: z.object({ orderId: z.uuid() }),
      responses: {
        200: { description: 'the payment', schema: paymentSchema },
        404: { description: 'payment-not-found: the card was not charged' },
        ...unknownOutcome,
      },
    },
    async ({ query }) => ({ status: 200, body: publicPayment(await findPaymentOfOrder(deps, query.orderId)) }),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/payments/:id',
      summary: 'Get a payment',
      tags,
      auth: { service: 'payments:read' },
      params: byId,
      responses: { 200: { description: 'the payment', schema: paymentSchema }, 404: { description: 'payment-not-found' } },
    },
    async ({ params }) => ({ status: 200, body: publicPayment(await findPayment(deps, params.id)) }),
  );

  api.route(
    {
      method: 'post',
      path: '/v1/payments/:id/refund',
      summary: 'Refund a payment in full (idempotent)',
      tags,
      auth: { service: 'payments:refund' },
      params: byId,
      responses: {
        200: { description: 'refunded (also when it already was)', schema: paymentSchema },
        404: { description: 'payment-not-found' },
        409: { description: 'payment-not-refundable: it was declined' },
        ...unknownOutcome,
      },
    },
    async ({ params }) => {
      const { payment, replayed } = await refundPayment(deps, params.id);
      return { status: 200, body: publicPayment(payment), headers: replayHeader(replayed) };
    },
  );
}
