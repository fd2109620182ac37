import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '@faultline/lab/testing';
import { type Order, type OrderLab, startOrderLab } from './support.js';

const settled = (lab: OrderLab, token: string, orderId: string) =>
  eventually(
    `order ${orderId} to end`,
    async () => {
      const { body } = await lab.call<Order>('GET', `/v1/orders/${orderId}`, { token });
      return body.status === 'pending' ? undefined : body;
    },
    15_000,
    100,
  );

describe('sagas survive a restart of the order service', () => {
  let lab: OrderLab;
  let token: string;
  const widget = randomUUID();

  before(async () => {
    // Payment's per-attempt timeout is long here, so the saga is still waiting on the charge when the service stops.
    lab = await startOrderLab(
      { [widget]: { stock: 10, price: 1000 } },
      { CHECKOUT_SYNC_BUDGET_MS: '300', PAYMENT_POLICY: JSON.stringify({ timeoutMs: 10_000, retry: { maxAttempts: 1 } }) },
    );
    token = await lab.tokens.sign(randomUUID());
  });
  after(() => lab?.close());

  it('completes a saga interrupted mid-charge on a new instance, by asking payment before charging again', async () => {
    lab.payment.script.mode = 'hold';
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 3 }], cardToken: 'tok_visa' });
    assert.equal(answer.status, 202);
    const { orderId } = answer.body;
    await eventually('the charge to be in flight', async () => (lab.payment.charges().length === 1 ? true : undefined));

    await lab.stop(); // interrupts the held charge: its outcome is unknown
    lab.payment.releaseHeld();
    lab.payment.script.mode = 'capture';
    const lookupsBefore = lab.payment.callsTo('GET', /^\/v1\/payments\?/).length;
    await lab.restart();

    const done = await settled(lab, token, orderId);
    assert.equal(done.status, 'confirmed');
    assert.ok(lab.payment.callsTo('GET', /^\/v1\/payments\?/).length > lookupsBefore, 'the new instance asked payment first');
    assert.deepEqual(
      lab.payment.charges().map((c) => c.headers['idempotency-key']),
      [orderId, orderId],
      'the second charge carries the same key, so it can never charge twice',
    );
    assert.equal(lab.product.reservations.get(done.reservationId)?.status, 'committed');
    await lab.publishedAbout('order.confirmed', orderId);
  });

  it('lets another runner take over a saga whose lease expired (a crashed instance), and the stale runner cannot overwrite it', async () => {
    lab.payment.script.mode = 'hold';
    const chargesBefore = lab.payment.charges().length;
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_visa' });
    assert.equal(answer.status, 202);
    const { orderId } = answer.body;
    await eventually('the charge to be in flight', async () => (lab.payment.charges().length === chargesBefore + 1 ? true : undefined));

    // As if its runner had crashed: the lease runs out while the charge is still in flight.
    lab.payment.script.mode = 'capture';
    await lab.service.pool.query(`UPDATE sagas SET lease_until = now() - interval '1 second' WHERE order_id = $1`, [orderId]);
    const done = await settled(lab, token, orderId);
    assert.equal(done.status, 'confirmed');

    lab.payment.releaseHeld(); // the first runner's charge now fails: its outcome must not be recorded over the new one
    await eventually('the stale runner to give up', async () => (lab.worker.inFlight === 0 ? true : undefined));
    const after = await lab.call<Order>('GET', `/v1/orders/${orderId}`, { token });
    assert.equal(after.body.status, 'confirmed');
    assert.equal(after.body.version, done.version);
  });
});

describe('the saga timeout', () => {
  let lab: OrderLab;
  let token: string;
  const widget = randomUUID();

  before(async () => {
    lab = await startOrderLab({ [widget]: { stock: 10, price: 1000 } }, { SAGA_TIMEOUT_MS: '1000', CHECKOUT_SYNC_BUDGET_MS: '200' });
    token = await lab.tokens.sign(randomUUID());
  });
  after(() => lab?.close());

  it('cancels an order stuck before payment with reason saga-timeout, releasing whatever may be held', async () => {
    lab.product.script.down = true;
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_visa' });
    assert.equal(answer.status, 202);
    const { orderId, reservationId } = answer.body;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    lab.product.script.down = false;

    const done = await settled(lab, token, orderId);
    assert.equal(done.status, 'cancelled');
    assert.equal(done.cancelReason, 'saga-timeout');
    assert.equal(lab.payment.charges().length, 0);
    assert.ok(lab.product.callsTo('POST', new RegExp(`^/v1/reservations/${reservationId}/release$`)).length >= 1);
    const event = await lab.publishedAbout('order.cancelled', orderId);
    assert.deepEqual(event.data, { orderId, userId: done.userId, reason: 'saga-timeout', refunded: false });
    const metrics = await (await fetch(`${lab.service.url}/metrics`)).text();
    assert.match(metrics, /saga_compensations_total\{[^}]*reason="saga-timeout"[^}]*\} 1/);
  });
});
