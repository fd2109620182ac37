import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '@faultline/lab/testing';
import { internal, whileEdgeStalled } from './internal.js';
import { api, type Customer, checkout, ensureShop, expectCleanAudit, finalOrder, newCustomer, PRODUCTS } from './lab.js';

/** Order and payment agree on money, whatever is done at payment behind the order's back (the real services). */
describe('order and payment agree', function () {
  this.timeout(120_000);
  let customer: Customer;

  before(async () => {
    await ensureShop();
    customer = await newCustomer();
  });

  it('a charge planted under the order id first (amount 1) is refunded and the order cancelled with payment-mismatch', async () => {
    // Stall order → payment so the saga's charge never arrives; meanwhile the intruder charges the order id.
    const orderId = await whileEdgeStalled('order__payment', async () => {
      const answer = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 2 }]);
      assert.equal(answer.status, 202, `checkout answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      const orderId = answer.orderId;
      const planted = await internal('payment', 'POST', '/v1/payments', {
        body: { orderId, userId: randomUUID(), amount: 1, currency: 'EUR', cardToken: 'tok_visa' },
        headers: { 'idempotency-key': orderId },
      });
      assert.equal(planted.status, 201, `the planted charge: ${planted.status} ${JSON.stringify(planted.body)}`);
      return orderId;
    });
    const order = await finalOrder(customer, orderId, 90_000);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'payment-mismatch');
    assert.equal(order.refunded, true);
    const payment = await internal('payment', 'GET', `/v1/payments?orderId=${orderId}`);
    assert.equal(payment.body.status, 'refunded', 'the planted charge is refunded');
    await expectCleanAudit();
  });

  it('a refund made at payment cancels the confirmed order as payment-refunded, and the audit stays clean', async () => {
    const answer = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 1 }]);
    const confirmed = await finalOrder(customer, answer.orderId);
    assert.equal(confirmed.status, 'confirmed');
    const refund = await internal('payment', 'POST', `/v1/payments/${confirmed.paymentId}/refund`, { body: {}, headers: { 'idempotency-key': randomUUID() } });
    assert.equal(refund.status, 200, `refund: ${refund.status} ${JSON.stringify(refund.body)}`);
    const order = await eventually(
      'the order to learn of the refund',
      async () => {
        const response = await fetch(`${api}/orders/${answer.orderId}`, { headers: { authorization: `Bearer ${customer.token}` } });
        const body = (await response.json()) as { status: string; cancelReason: string | null; refunded: boolean };
        return body.status === 'cancelled' ? body : undefined;
      },
      30_000,
    );
    assert.equal(order.cancelReason, 'payment-refunded');
    assert.equal(order.refunded, true);
    await expectCleanAudit();
  });
});
