import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { audit, refundRepeatedCharges } from '../../packages/lab/src/topology/audit.js';
import { serviceUrl } from '../../packages/lab/src/topology/services.js';
import { internal } from './internal.js';
import { cfg, checkout, ensureShop, finalOrder, newCustomer, PRODUCTS } from './lab.js';

/**
 * `faultline audit` (the same rules as `audit-clean`) against the real services, each
 * inconsistency seeded through a service's own API as a fuzzer or an intruder would, then undone.
 */
describe('faultline audit sees what it used to miss', function () {
  this.timeout(60_000);
  before(() => ensureShop());

  const violationsAbout = async (orderId: string) => (await audit(cfg, { stuckAfterSec: 60 })).violations.filter((v) => v.orderId === orderId);

  it('a hold for an order the order service does not know is reported, naming that order', async () => {
    const orderId = randomUUID();
    const reservationId = randomUUID();
    const held = await internal('product', 'POST', '/v1/reservations', {
      body: { reservationId, orderId, items: [{ productId: PRODUCTS.mug, quantity: 3 }] },
      headers: { 'idempotency-key': reservationId },
    });
    assert.equal(held.status, 201, `${held.status} ${JSON.stringify(held.body)}`);
    try {
      const found = await violationsAbout(orderId);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.invariant, 'stock');
      assert.match(found[0]?.detail ?? '', new RegExp(`3 units held by reservation ${reservationId} .*for an order the order service does not know`));
    } finally {
      await internal('product', 'POST', `/v1/reservations/${reservationId}/release`, { body: {}, headers: { 'idempotency-key': randomUUID() } });
    }
    assert.deepEqual(await violationsAbout(orderId), [], 'released, the hold is gone from the audit');
  });

  it('stock held for an order that is already confirmed is reported, naming the order', async () => {
    const customer = await newCustomer();
    const { orderId } = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 1 }]);
    assert.equal((await finalOrder(customer, orderId)).status, 'confirmed');
    const reservationId = randomUUID();
    const held = await internal('product', 'POST', '/v1/reservations', {
      body: { reservationId, orderId, items: [{ productId: PRODUCTS.mug, quantity: 1 }] },
      headers: { 'idempotency-key': reservationId },
    });
    assert.equal(held.status, 201, `${held.status} ${JSON.stringify(held.body)}`);
    try {
      const found = await violationsAbout(orderId);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0]?.invariant, 'stock');
      assert.match(found[0]?.detail ?? '', /1 units held by reservation .* but the order is confirmed/);
    } finally {
      await internal('product', 'POST', `/v1/reservations/${reservationId}/release`, { body: {}, headers: { 'idempotency-key': randomUUID() } });
    }
    assert.deepEqual(await violationsAbout(orderId), []);
  });

  it('money captured for an order the order service does not know is reported until it is refunded', async () => {
    const orderId = randomUUID();
    const charged = await internal('payment', 'POST', '/v1/payments', {
      body: { orderId, userId: randomUUID(), amount: 1, currency: 'EUR', cardToken: 'tok_visa' },
      headers: { 'idempotency-key': orderId },
    });
    assert.equal(charged.status, 201, `${charged.status} ${JSON.stringify(charged.body)}`);
    try {
      assert.deepEqual(await violationsAbout(orderId), [{ invariant: 'payment', orderId, detail: 'charged for an order the order service does not know' }]);
    } finally {
      await internal('payment', 'POST', `/v1/payments/${charged.body.paymentId}/refund`, { body: {}, headers: { 'idempotency-key': randomUUID() } });
    }
    assert.deepEqual(await violationsAbout(orderId), []);
  });

  it('a confirmed order the card processor charged again (a retry under a new key) is a double charge, until the lab refunds one of the two', async () => {
    const customer = await newCustomer();
    const { orderId } = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 1 }]);
    const order = await finalOrder(customer, orderId);
    assert.equal(order.status, 'confirmed');
    // What a retry under a new Idempotency-Key does: the processor cannot tell it from a new charge.
    const again = await fetch(`${serviceUrl(cfg, 'providers')}/v1/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `charge-${orderId}.attempt-2` },
      body: JSON.stringify({ amount: order.total, currency: 'EUR', cardToken: 'tok_visa', reference: orderId }),
    });
    assert.equal(again.status, 201);
    const total = Number(order.total);
    assert.deepEqual(await violationsAbout(orderId), [
      {
        invariant: 'payment',
        orderId,
        detail: `the card processor charged it 2 times and keeps ${2 * total} cents, payment's ledger ${total} cents: a retried charge under a new idempotency key`,
      },
    ]);
    assert.ok((await refundRepeatedCharges(cfg)) >= 1);
    assert.deepEqual(await violationsAbout(orderId), [], 'one of the two refunded: the money is taken once');
  });
});
