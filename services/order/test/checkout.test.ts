import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Order, type OrderLab, startOrderLab } from './support.js';

describe('checkout (component: real database and broker, product and payment stand-ins)', () => {
  let lab: OrderLab;
  let token: string;
  const userId = randomUUID();
  const widget = randomUUID();
  const gadget = randomUUID();
  const scarce = randomUUID();

  before(async () => {
    lab = await startOrderLab({ [widget]: { stock: 100, price: 1250 }, [gadget]: { stock: 100, price: 500 }, [scarce]: { stock: 1, price: 999 } });
    token = await lab.tokens.sign(userId);
  });
  after(() => lab?.close());
  beforeEach(() => {
    lab.payment.script.mode = 'capture';
  });

  const published = (type: 'order.confirmed' | 'order.cancelled', orderId: string) => lab.publishedAbout(type, orderId);

  it('confirms a checkout of the cart at once: 201, the cart emptied, order.confirmed published', async () => {
    assert.equal((await lab.call('PUT', `/v1/cart/items/${widget}`, { token, body: { quantity: 2 } })).status, 200);
    const cart = await lab.call('PUT', `/v1/cart/items/${gadget}`, { token, body: { quantity: 1 } });
    assert.deepEqual(cart.body, {
      items: [
        { productId: widget, quantity: 2 },
        { productId: gadget, quantity: 1 },
      ],
    });

    const answer = await lab.checkout(token, randomUUID(), { cardToken: 'tok_visa' });
    assert.equal(answer.status, 201);
    assert.equal(answer.body.status, 'confirmed');
    assert.equal(answer.body.total, 3000);
    assert.ok(answer.body.paymentId);
    assert.equal(answer.headers.get('location'), `/v1/orders/${answer.body.orderId}`);
    assert.deepEqual((await lab.call('GET', '/v1/cart', { token })).body, { items: [] });

    const event = await published('order.confirmed', answer.body.orderId);
    assert.deepEqual(event.data, {
      orderId: answer.body.orderId,
      userId,
      items: [
        { productId: widget, quantity: 2, unitPrice: 1250 },
        { productId: gadget, quantity: 1, unitPrice: 500 },
      ],
      total: 3000,
      currency: 'EUR',
    });
    const charge = lab.payment.charges().find((c) => c.body?.orderId === answer.body.orderId);
    assert.equal(charge?.headers['idempotency-key'], answer.body.orderId);
    assert.equal(charge?.body?.amount, 3000);
    assert.equal(lab.product.reservations.get(answer.body.reservationId)?.status, 'committed');

    const metrics = await (await fetch(`${lab.service.url}/metrics`)).text();
    assert.match(metrics, /orders_total\{[^}]*outcome="confirmed"[^}]*\} 1/);
    assert.match(metrics, /saga_duration_seconds_count\{[^}]*outcome="confirmed"[^}]*\} 1/);
    assert.match(metrics, /sagas_in_flight\{[^}]*\} 0\n/);
    assert.match(metrics, /saga_oldest_in_flight_seconds\{[^}]*\} 0\n/);
  });

  it('answers the same order for the same key and body, reserving and charging once', async () => {
    const key = randomUUID();
    const body = { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_visa' };
    const [first, second] = await Promise.all([lab.checkout(token, key, body), lab.checkout(token, key, body)]);
    const third = await lab.checkout(token, key, body);
    assert.equal(first.body.orderId, second.body.orderId);
    assert.equal(first.body.orderId, third.body.orderId);
    // Whichever concurrent request won ran the saga (201); the other is a replay of a pending order (202) or of the finished one (201).
    assert.ok([first.status, second.status].includes(201), `statuses ${first.status}, ${second.status}`);
    for (const status of [first.status, second.status]) assert.ok([201, 202].includes(status), `status ${status}`);
    assert.equal(third.status, 201);
    const orderId = first.body.orderId;
    assert.equal(lab.payment.charges().filter((c) => c.body?.orderId === orderId).length, 1);
    assert.equal(lab.product.callsTo('POST', /^\/v1\/reservations$/).filter((c) => c.body?.orderId === orderId).length, 1);
    const mine = await lab.call<{ items: Order[] }>('GET', '/v1/orders?limit=100', { token });
    assert.equal(mine.body.items.filter((o) => o.orderId === orderId).length, 1);
  });

  it('refuses the same key with a different body: 422 idempotency-key-reused', async () => {
    const key = randomUUID();
    assert.equal((await lab.checkout(token, key, { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_visa' })).status, 201);
    const reused = await lab.checkout(token, key, { items: [{ productId: widget, quantity: 3 }], cardToken: 'tok_visa' });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.name, 'idempotency-key-reused');
  });

  it('cancels when the stock is short, charging nobody', async () => {
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: scarce, quantity: 2 }], cardToken: 'tok_visa' });
    assert.equal(answer.status, 201);
    assert.equal(answer.body.status, 'cancelled');
    assert.equal(answer.body.cancelReason, 'out-of-stock');
    assert.equal(lab.payment.charges().filter((c) => c.body?.orderId === answer.body.orderId).length, 0);
    const event = await published('order.cancelled', answer.body.orderId);
    assert.deepEqual(event.data, { orderId: answer.body.orderId, userId, reason: 'out-of-stock', refunded: false });
  });

  it('when payment is declined, the stock is released and the order cancelled with payment-declined', async () => {
    lab.payment.script.mode = 'decline';
    const stockBefore = lab.product.catalog[widget]?.stock;
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 4 }], cardToken: 'tok_declined' });
    assert.equal(answer.status, 201);
    assert.equal(answer.body.status, 'cancelled');
    assert.equal(answer.body.cancelReason, 'payment-declined');
    assert.equal(answer.body.refunded, false);
    assert.equal(lab.product.callsTo('POST', new RegExp(`^/v1/reservations/${answer.body.reservationId}/release$`)).length, 1);
    assert.equal(lab.product.catalog[widget]?.stock, stockBefore);
    const event = await published('order.cancelled', answer.body.orderId);
    assert.equal(event.data.reason, 'payment-declined');
    const metrics = await (await fetch(`${lab.service.url}/metrics`)).text();
    assert.match(metrics, /saga_compensations_total\{[^}]*reason="payment-declined"[^}]*\} 1/);
  });

  it('when the stock cannot be committed after the charge, the payment is refunded, the stock released and the order cancelled', async () => {
    lab.product.script.refuseCommit = true;
    try {
      const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_visa' });
      assert.equal(answer.status, 201);
      assert.equal(answer.body.status, 'cancelled');
      assert.equal(answer.body.cancelReason, 'out-of-stock');
      assert.equal(answer.body.refunded, true);
      assert.equal(lab.payment.payments.get(answer.body.orderId)?.status, 'refunded');
      assert.equal(lab.product.reservations.get(answer.body.reservationId)?.status, 'released');
      const event = await published('order.cancelled', answer.body.orderId);
      assert.deepEqual(event.data, { orderId: answer.body.orderId, userId, reason: 'out-of-stock', refunded: true });
    } finally {
      lab.product.script.refuseCommit = false;
    }
  });

  it('needs a token, an Idempotency-Key, and something to order', async () => {
    assert.equal((await lab.call('POST', '/v1/orders', { body: { cardToken: 'tok_visa' } })).status, 401);
    const noKey = await lab.call('POST', '/v1/orders', { token, body: { cardToken: 'tok_visa' } });
    assert.equal(noKey.status, 400);
    assert.match(String(noKey.body.detail), /Idempotency-Key/);
    assert.equal(noKey.body.name, 'idempotency-key-missing');
    const longKey = await lab.checkout(token, 'k'.repeat(256), { cardToken: 'tok_visa' });
    assert.equal(longKey.status, 400);
    assert.equal(longKey.body.name, 'idempotency-key-invalid');
    const empty = await lab.checkout(await lab.tokens.sign(randomUUID()), randomUUID(), { cardToken: 'tok_visa' });
    assert.equal(empty.status, 422);
    assert.equal(empty.body.name, 'cart-empty');
    const badItem = await lab.checkout(token, randomUUID(), { items: [{ productId: 'nope', quantity: 1 }], cardToken: 'tok_visa' });
    assert.equal(badItem.status, 400);
  });

  it('shows customers their own orders only, and admins every order with its payment and reservation', async () => {
    const mine = await lab.checkout(token, randomUUID(), { items: [{ productId: gadget, quantity: 1 }], cardToken: 'tok_visa' });
    const stranger = await lab.tokens.sign(randomUUID());
    assert.equal((await lab.call('GET', `/v1/orders/${mine.body.orderId}`, { token: stranger })).status, 404);
    assert.equal((await lab.call<Order>('GET', `/v1/orders/${mine.body.orderId}`, { token })).body.status, 'confirmed');
    assert.equal((await lab.call('GET', '/v1/admin/orders', { token })).status, 403);

    const admin = await lab.tokens.sign(randomUUID(), ['admin']);
    const cancelled = await lab.call<{ items: Order[] }>('GET', '/v1/admin/orders?status=cancelled&limit=100', { token: admin });
    assert.ok(cancelled.body.items.length >= 2);
    assert.ok(cancelled.body.items.every((o) => o.status === 'cancelled'));
    const confirmed = await lab.call<{ items: Order[] }>('GET', '/v1/admin/orders?status=confirmed&limit=100', { token: admin });
    const listed = confirmed.body.items.find((o) => o.orderId === mine.body.orderId);
    assert.equal(listed?.paymentId, mine.body.paymentId);
    assert.equal(listed?.reservationId, mine.body.reservationId);
    const sagas = await lab.call<{ items: unknown[] }>('GET', '/v1/admin/sagas?olderThanSec=0', { token: admin });
    assert.deepEqual(sagas.body.items, []);
  });
});
