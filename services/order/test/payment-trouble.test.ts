import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '@faultline/lab/testing';
import { type Order, type OrderLab, startOrderLab } from './support.js';

describe('checkout when payment is in trouble', () => {
  let lab: OrderLab;
  let token: string;
  let admin: string;
  const widget = randomUUID();

  before(async () => {
    lab = await startOrderLab({ [widget]: { stock: 1000, price: 700 } });
    token = await lab.tokens.sign(randomUUID());
    admin = await lab.tokens.sign(randomUUID(), ['admin']);
  });
  after(() => lab?.close());

  const order = (orderId: string) => lab.call<Order>('GET', `/v1/orders/${orderId}`, { token });
  const settled = (orderId: string, timeoutMs = 15_000) =>
    eventually(
      `order ${orderId} to end`,
      async () => {
        const { body } = await order(orderId);
        return body.status === 'pending' ? undefined : body;
      },
      timeoutMs,
      100,
    );
  const lookups = (orderId: string) => lab.payment.callsTo('GET', new RegExp(`^/v1/payments\\?orderId=${orderId}$`));
  const chargesOf = (orderId: string) => lab.payment.charges().filter((c) => c.body?.orderId === orderId);

  it('when the charge times out, the order is accepted as pending and resolved by asking payment, charging once', async () => {
    lab.payment.script.mode = 'slow'; // captures at once, answers after 1.5 s: longer than the 400 ms per attempt
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_visa' });
    assert.equal(answer.status, 202);
    assert.equal(answer.body.status, 'pending');
    assert.equal(answer.headers.get('location'), `/v1/orders/${answer.body.orderId}`);

    const done = await settled(answer.body.orderId);
    assert.equal(done.status, 'confirmed');
    assert.equal(chargesOf(answer.body.orderId).length, 1, 'the charge endpoint is hit exactly once');
    assert.ok(lookups(answer.body.orderId).length >= 1, 'the outcome was asked for');
    assert.equal(done.paymentId, lab.payment.payments.get(answer.body.orderId)?.paymentId);
    const metrics = await (await fetch(`${lab.service.url}/metrics`)).text();
    assert.match(metrics, /orders_total\{[^}]*outcome="pending"[^}]*\} 1/);
  });

  it('when payment answers 503 and its breaker opens, the order waits as pending and completes once payment recovers', async () => {
    lab.payment.script.mode = 'unavailable';
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 2 }], cardToken: 'tok_visa' });
    assert.equal(answer.status, 202);
    const { orderId } = answer.body;

    const stuck = await eventually('the saga to wait on an open breaker', async () => {
      const { body } = await lab.call<{ items: { orderId: string; step: string; lastError: string | null }[] }>('GET', '/v1/admin/sagas?olderThanSec=0', {
        token: admin,
      });
      const saga = body.items.find((s) => s.orderId === orderId);
      return saga?.lastError?.startsWith('circuit-open') ? saga : undefined;
    });
    assert.equal(stuck.step, 'verify-payment', 'it asks, it does not charge blindly');
    assert.equal((await order(orderId)).body.status, 'pending');
    assert.equal(chargesOf(orderId).length, 1);
    // The stuck saga shows in the gauges the SagasStuck alert reads.
    const metrics = await (await fetch(`${lab.service.url}/metrics`)).text();
    assert.match(metrics, /sagas_in_flight\{[^}]*\} 1\n/);
    const age = Number(/saga_oldest_in_flight_seconds\{[^}]*\} ([\d.e+-]+)/.exec(metrics)?.[1]);
    const sinceCheckout = (Date.now() - Date.parse(answer.headers.get('date') ?? '')) / 1000;
    assert.ok(age > 0 && age <= sinceCheckout + 1, `oldest saga ${age} s old, the checkout was ${sinceCheckout} s ago`);

    lab.payment.script.mode = 'capture';
    const done = await settled(orderId);
    assert.equal(done.status, 'confirmed');
    // The first charge never reached the processor (503); payment said so; the second, with the same key, captured.
    assert.deepEqual(
      chargesOf(orderId).map((c) => c.headers['idempotency-key']),
      [orderId, orderId],
    );
    assert.equal(lab.payment.payments.get(orderId)?.status, 'captured');
  });
});
