import assert from 'node:assert/strict';
import { applyNew, foldOrder } from '../src/domain/order.js';
import type { OrderEvent, RecordedEvent } from '../src/domain/order-events.js';

const orderId = '5b0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c11';
const reservationId = '6c0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c12';
const paymentId = '7d0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c13';
const product = '8e0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c14';

const recorded = (events: OrderEvent[]): RecordedEvent[] =>
  events.map((event, i) => ({ ...event, version: i + 1, occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }) as RecordedEvent);

const placed: OrderEvent = { type: 'OrderPlaced', data: { userId: 'u-1', items: [{ productId: product, quantity: 2 }], reservationId } };
const reserved: OrderEvent = { type: 'StockReserved', data: { reservationId, items: [{ productId: product, quantity: 2, unitPrice: 1250 }], total: 2500 } };

describe('the order fold (state = fold of events)', () => {
  it('has no order for an empty stream', () => {
    assert.equal(foldOrder(orderId, []), undefined);
  });

  it('starts pending with the requested lines', () => {
    const state = foldOrder(orderId, recorded([placed]));
    assert.equal(state?.status, 'pending');
    assert.equal(state?.version, 1);
    assert.deepEqual(state?.items, [{ productId: product, quantity: 2 }]);
    assert.equal(state?.total, null);
  });

  it('confirms after reserve, capture and commit, pricing the lines and keeping the payment', () => {
    const state = foldOrder(
      orderId,
      recorded([
        placed,
        reserved,
        { type: 'PaymentCaptured', data: { paymentId, amount: 2500 } },
        { type: 'StockCommitted', data: {} },
        { type: 'OrderConfirmed', data: {} },
      ]),
    );
    assert.equal(state?.status, 'confirmed');
    assert.equal(state?.total, 2500);
    assert.equal(state?.paymentId, paymentId);
    assert.equal(state?.stock, 'committed');
    assert.equal(state?.version, 5);
    assert.deepEqual(state?.updatedAt, new Date(Date.UTC(2026, 0, 1, 0, 0, 4)));
    assert.deepEqual(state?.createdAt, new Date(Date.UTC(2026, 0, 1, 0, 0, 0)));
  });

  it('cancels with the reason and the refund', () => {
    const state = foldOrder(
      orderId,
      recorded([
        placed,
        reserved,
        { type: 'PaymentCaptured', data: { paymentId, amount: 2500 } },
        { type: 'PaymentRefunded', data: { paymentId } },
        { type: 'StockReleased', data: {} },
        { type: 'OrderCancelled', data: { reason: 'saga-timeout', refunded: true } },
      ]),
    );
    assert.equal(state?.status, 'cancelled');
    assert.equal(state?.cancelReason, 'saga-timeout');
    assert.equal(state?.refunded, true);
    assert.equal(state?.payment, 'refunded');
    assert.equal(state?.stock, 'released');
  });

  it('refuses a stream that does not start with OrderPlaced, or places twice', () => {
    assert.throws(() => foldOrder(orderId, recorded([reserved])), /starts with OrderPlaced/);
    assert.throws(() => foldOrder(orderId, recorded([placed, placed])), /already placed/);
  });

  it('gives the same state whether events are folded from the stream or applied as new', () => {
    const events = [placed, reserved, { type: 'PaymentDeclined', data: { reason: 'insufficient funds' } } as OrderEvent];
    const at = new Date(Date.UTC(2026, 0, 1));
    const applied = applyNew(orderId, undefined, events, at);
    const folded = foldOrder(
      orderId,
      events.map((e, i) => ({ ...e, version: i + 1, occurredAt: at }) as RecordedEvent),
    );
    assert.deepEqual(applied, folded);
    assert.equal(applied?.payment, 'declined');
    assert.equal(applied?.version, 3);
  });
});
