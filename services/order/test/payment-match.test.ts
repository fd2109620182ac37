import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '@faultline/lab/testing';
import { type Order, type OrderLab, startOrderLab } from './support.js';

describe('the saga checks the payment it finds for the order (component: real database and broker, stand-ins)', () => {
  let lab: OrderLab;
  let token: string;
  const userId = randomUUID();
  const widget = randomUUID();

  before(async () => {
    lab = await startOrderLab({ [widget]: { stock: 100, price: 1250 } });
    token = await lab.tokens.sign(userId);
  });
  after(() => lab?.close());

  const settled = (orderId: string) =>
    eventually(
      `order ${orderId} to settle`,
      async () => {
        const { body } = await lab.call<Order>('GET', `/v1/orders/${orderId}`, { token });
        return body.status === 'pending' ? undefined : body;
      },
      15_000,
      100,
    );

  for (const [what, differs] of [
    ['amount', { amount: 1 }],
    ['user', { userId: randomUUID() }],
  ] as const) {
    it(`a captured payment for the order id with another ${what} is refunded, the stock released, the order cancelled with payment-mismatch`, async () => {
      lab.payment.script.mode = 'unavailable';
      const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 2 }], cardToken: 'tok_visa' });
      assert.equal(answer.status, 202);
      const { orderId, reservationId } = answer.body;
      // Someone else charged the order id first (Idempotency-Key = the order id): payment now answers with that charge.
      const planted: Record<string, unknown> = {
        paymentId: randomUUID(),
        orderId,
        userId,
        amount: 2500,
        currency: 'EUR',
        status: 'captured',
        createdAt: new Date().toISOString(),
      };
      Object.assign(planted, differs);
      lab.payment.payments.set(orderId, planted);
      lab.payment.script.mode = 'capture';

      const done = await settled(orderId);
      assert.equal(done.status, 'cancelled');
      assert.equal(done.cancelReason, 'payment-mismatch');
      assert.equal(done.refunded, true);
      assert.equal(lab.payment.payments.get(orderId)?.status, 'refunded', 'the mismatched payment is refunded');
      assert.equal(lab.product.reservations.get(reservationId)?.status, 'released');
      const event = await lab.publishedAbout('order.cancelled', orderId);
      assert.equal(event.data.reason, 'payment-mismatch');
    });
  }

  it("the order's own payment still confirms it", async () => {
    lab.payment.script.mode = 'capture';
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 2 }], cardToken: 'tok_visa' });
    assert.equal(answer.status, 201);
    assert.equal(answer.body.status, 'confirmed');
  });
});
