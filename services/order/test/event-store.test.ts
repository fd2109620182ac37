import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isAppError, withTransaction } from '@faultline/platform';
import { foldOrder, type OrderState } from '../src/domain/order.js';
import type { OrderEvent } from '../src/domain/order-events.js';
import { recordEvents } from '../src/store/order-journal.js';
import { loadEvents } from '../src/store/order-store.js';
import { findOrderView } from '../src/store/order-views.js';
import { type OrderLab, startOrderLab } from './support.js';

describe('the order event store (optimistic concurrency, CQRS read model)', () => {
  let lab: OrderLab;
  const widget = randomUUID();

  before(async () => {
    lab = await startOrderLab({ [widget]: { stock: 5, price: 300 } });
  });
  after(() => lab?.close());

  const placeDirectly = async () => {
    const orderId = randomUUID();
    const placed: OrderEvent = {
      type: 'OrderPlaced',
      data: { userId: randomUUID(), items: [{ productId: widget, quantity: 1 }], reservationId: randomUUID() },
    };
    const state = await withTransaction(lab.service.pool, (tx) => recordEvents(tx, orderId, undefined, [placed]));
    return { orderId, state };
  };
  const reserved = (state: OrderState, unitPrice: number): OrderEvent => ({
    type: 'StockReserved',
    data: { reservationId: state.reservationId, items: [{ productId: widget, quantity: 1, unitPrice }], total: unitPrice },
  });
  const conflict = (error: unknown) => isAppError(error) && error.errorName === 'order-version-conflict';

  it('refuses an append after a stale version, and the writer that reloads succeeds', async () => {
    const { orderId, state } = await placeDirectly();
    await withTransaction(lab.service.pool, (tx) => recordEvents(tx, orderId, state, [reserved(state, 300)]));
    await assert.rejects(
      withTransaction(lab.service.pool, (tx) => recordEvents(tx, orderId, state, [reserved(state, 999)])),
      conflict,
    );
    const fresh = foldOrder(orderId, await loadEvents(lab.service.pool, orderId)) as OrderState;
    assert.equal(fresh.version, 2);
    assert.equal(fresh.total, 300, 'the stale write left no trace');
    await withTransaction(lab.service.pool, (tx) =>
      recordEvents(tx, orderId, fresh, [{ type: 'OrderCancelled', data: { reason: 'customer-request', refunded: false } }]),
    );
    assert.equal((await findOrderView(lab.service.pool, orderId))?.status, 'cancelled');
  });

  it('lets exactly one of two concurrent writers at the same version commit', async () => {
    const { orderId, state } = await placeDirectly();
    const results = await Promise.allSettled(
      [100, 200, 300, 400].map((price) => withTransaction(lab.service.pool, (tx) => recordEvents(tx, orderId, state, [reserved(state, price)]))),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.filter((r) => r.status === 'rejected').every((r) => conflict(r.reason)));
    assert.equal((await loadEvents(lab.service.pool, orderId)).length, 2);
  });

  it('keeps the read model equal to the fold of every order, whatever its saga did', async () => {
    const token = await lab.tokens.sign(randomUUID());
    lab.payment.script.mode = 'decline';
    await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_declined' });
    lab.payment.script.mode = 'capture';
    await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 2 }], cardToken: 'tok_visa' });
    await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 50 }], cardToken: 'tok_visa' });

    const { rows } = await lab.service.pool.query<{ order_id: string }>('SELECT DISTINCT order_id FROM order_events');
    assert.ok(rows.length >= 5);
    for (const { order_id: orderId } of rows) {
      const folded = foldOrder(orderId, await loadEvents(lab.service.pool, orderId)) as OrderState;
      const view = await findOrderView(lab.service.pool, orderId);
      assert.deepEqual(view, {
        orderId,
        userId: folded.userId,
        status: folded.status,
        items: folded.items,
        total: folded.total,
        currency: folded.currency,
        reservationId: folded.reservationId,
        paymentId: folded.paymentId,
        cancelReason: folded.cancelReason,
        refunded: folded.refunded,
        version: folded.version,
        createdAt: folded.createdAt.toISOString(),
        updatedAt: folded.updatedAt.toISOString(),
      });
    }
  });
});
