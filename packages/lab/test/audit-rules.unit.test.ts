import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type AuditedOrder, type AuditSnapshot, findViolations } from '../src/topology/audit-rules.js';

const TTL = 900;
type Paid = AuditSnapshot['ledger']['orders'][number];

/** A consistent shop: one confirmed order paid once, one declined order, one pending order holding stock. */
function shop() {
  const confirmed: AuditedOrder = { orderId: randomUUID(), status: 'confirmed', total: 2500, paymentId: randomUUID(), refunded: false, cancelReason: null };
  const declined: AuditedOrder = { orderId: randomUUID(), status: 'cancelled', total: 900, paymentId: null, refunded: false, cancelReason: 'payment-declined' };
  const pending: AuditedOrder = { orderId: randomUUID(), status: 'pending', total: null, paymentId: null, refunded: false, cancelReason: null };
  const snapshot: AuditSnapshot = {
    orders: [confirmed, declined, pending],
    ledger: {
      balanced: true,
      complete: true,
      unbalancedTransactions: [],
      paymentsMissingEntries: [],
      orders: [{ orderId: confirmed.orderId, captures: 1, refunds: 0, capturedAmount: 2500, refundedAmount: 0 }],
    },
    statement: { charges: 1, references: 1, repeated: [] },
    inventory: {
      consistent: true,
      products: [{ productId: randomUUID(), name: 'Mug', issues: [] }],
      holds: [{ reservationId: randomUUID(), orderId: pending.orderId, units: 2, ageSec: 3 }],
    },
    stuckSagas: [],
    holdTtlSec: TTL,
  };
  const paid = (orderId: string) => snapshot.ledger.orders.find((o) => o.orderId === orderId) as Paid;
  return { snapshot, confirmed, declined, pending, paid };
}

const only = (snapshot: AuditSnapshot) => {
  const found = findViolations(snapshot);
  assert.equal(found.length, 1, `expected one violation, found ${JSON.stringify(found)}`);
  return found[0] as NonNullable<(typeof found)[0]>;
};

describe('the audit rules (findViolations)', () => {
  it('find nothing wrong in a consistent shop', () => {
    assert.deepEqual(findViolations(shop().snapshot), []);
  });

  it('a confirmed order needs exactly one capture, of its total', () => {
    const a = shop();
    a.snapshot.ledger.orders = [];
    assert.deepEqual(only(a.snapshot), {
      invariant: 'payment',
      orderId: a.confirmed.orderId,
      detail: 'confirmed with 0 captured payments (expected exactly 1)',
    });

    const b = shop();
    b.paid(b.confirmed.orderId).capturedAmount = 1;
    const wrongAmount = only(b.snapshot);
    assert.equal(wrongAmount.orderId, b.confirmed.orderId);
    assert.match(wrongAmount.detail, /capture of 1 cents, but the order's total is 2500 cents/);

    const c = shop();
    c.paid(c.confirmed.orderId).captures = 2;
    assert.deepEqual(
      findViolations(c.snapshot).map((v) => v.detail),
      ['charged 2 times', 'confirmed with 2 captured payments (expected exactly 1)'],
    );
  });

  it('a cancelled or declined order keeps no money', () => {
    const a = shop();
    a.snapshot.ledger.orders.push({ orderId: a.declined.orderId, captures: 1, refunds: 1, capturedAmount: 900, refundedAmount: 400 });
    a.declined.refunded = true; // partly
    const kept = only(a.snapshot);
    assert.equal(kept.invariant, 'refund');
    assert.equal(kept.orderId, a.declined.orderId);
    assert.match(kept.detail, /cancelled \(payment-declined\) but 500 cents charged and not refunded/);
  });

  it('a refunded payment means a refunded order (a refund made at payment behind the order’s back)', () => {
    const a = shop();
    Object.assign(a.paid(a.confirmed.orderId), { refunds: 1, refundedAmount: 2500 });
    const found = only(a.snapshot);
    assert.equal(found.invariant, 'refund');
    assert.equal(found.orderId, a.confirmed.orderId);
    assert.match(found.detail, /refunded 2500 cents, but the order is confirmed and not refunded/);
    a.confirmed.refunded = true;
    a.confirmed.status = 'cancelled';
    assert.deepEqual(findViolations(a.snapshot), []);
  });

  it('money is captured only for orders the order service knows', () => {
    const a = shop();
    const stranger = randomUUID();
    a.snapshot.ledger.orders.push({ orderId: stranger, captures: 1, refunds: 0, capturedAmount: 1, refundedAmount: 0 });
    assert.deepEqual(only(a.snapshot), { invariant: 'payment', orderId: stranger, detail: 'charged for an order the order service does not know' });
  });

  it('an order the card processor charged twice is a double charge, whatever payment recorded', () => {
    const a = shop();
    a.snapshot.statement.repeated.push({ reference: a.confirmed.orderId, charges: 2, unrefunded: 2, kept: 5000 });
    assert.deepEqual(only(a.snapshot), {
      invariant: 'payment',
      orderId: a.confirmed.orderId,
      detail: "the card processor charged it 2 times and keeps 5000 cents, payment's ledger 2500 cents: a retried charge under a new idempotency key",
    });
    const b = shop();
    b.snapshot.statement.repeated.push({ reference: b.confirmed.orderId, charges: 2, unrefunded: 1, kept: 2500 });
    assert.deepEqual(findViolations(b.snapshot), [], 'the extra charge refunded in full: money taken once');
    const c = shop();
    c.snapshot.statement.repeated.push({ reference: c.declined.orderId, charges: 2, unrefunded: 1, kept: 900 });
    assert.match(only(c.snapshot).detail, /keeps 900 cents, payment's ledger 0 cents/, 'a cancelled order whose one refund left the other charge in place');
    const d = shop();
    d.snapshot.statement.repeated.push({ reference: d.pending.orderId, charges: 2, unrefunded: 2, kept: 1800 });
    assert.deepEqual(findViolations(d.snapshot), [], 'a pending order is judged once it settles');
  });

  it('stock is held only for pending orders, never past the hold TTL, and every hold violation names its order', () => {
    const a = shop();
    const hold = a.snapshot.inventory.holds?.[0] as { orderId: string; ageSec: number };
    hold.orderId = a.confirmed.orderId;
    assert.deepEqual({ ...only(a.snapshot), detail: '' }, { invariant: 'stock', orderId: a.confirmed.orderId, detail: '' });
    assert.match(only(a.snapshot).detail, /but the order is confirmed/);

    hold.orderId = '00000000-0000-0000-0000-000000000000';
    assert.match(only(a.snapshot).detail, /for an order the order service does not know/);
    assert.equal(only(a.snapshot).orderId, hold.orderId);

    hold.orderId = a.pending.orderId;
    hold.ageSec = TTL - 1;
    assert.deepEqual(findViolations(a.snapshot), [], 'a pending order may hold stock within the TTL');
    hold.ageSec = TTL + 1;
    const leaked = only(a.snapshot);
    assert.equal(leaked.orderId, a.pending.orderId);
    assert.match(leaked.detail, /older than the hold TTL \(900 s\)/);
  });

  it('a product oversold or miscounted, an unbalanced ledger and a stuck saga are reported', () => {
    const a = shop();
    a.snapshot.inventory.products.push({ name: 'Plush', issues: ['negative-available', 'leaked-holds'] });
    a.snapshot.ledger.balanced = false;
    a.snapshot.stuckSagas.push({ orderId: a.pending.orderId, step: 'verify-payment', ageSec: 75.4, lastError: 'payment unreachable' });
    assert.deepEqual(findViolations(a.snapshot), [
      { invariant: 'ledger', detail: 'unbalanced transactions: account totals do not sum to zero' },
      { invariant: 'stock', detail: 'Plush: negative-available' },
      { invariant: 'saga', orderId: a.pending.orderId, detail: 'stuck at verify-payment for 75 s (payment unreachable)' },
    ]);
  });
});
