import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TEST_CARD_TOKENS } from '@faultline/contracts';
import { eventually } from '@faultline/lab/testing';
import { type Stack, startStack } from './support.js';

interface Payment {
  paymentId: string;
  orderId: string;
  userId: string;
  status: string;
}
interface Audit {
  balanced: boolean;
  complete: boolean;
  totals: Record<string, number>;
  doubleCaptured: string[];
  orders: { orderId: string; captures: number; refunds: number; capturedAmount: number; refundedAmount: number }[];
}

describe('payment: refunds, the ledger and the history', () => {
  let stack: Stack;
  let admin: string;
  before(async () => {
    stack = await startStack();
    admin = await stack.token(randomUUID(), ['admin']);
  });
  after(() => stack?.stop());

  const captured = async (overrides: Record<string, unknown> = {}) => (await (await stack.charge(stack.order(overrides))).json()) as Payment;
  const audit = async (orderId?: string) => (await (await stack.get(`/v1/ledger/audit${orderId ? `?orderId=${orderId}` : ''}`, admin)).json()) as Audit;

  it('refunds a payment in full: refunded at the processor, reversed in the ledger, payment.refunded published; a second refund changes nothing', async () => {
    const payment = await captured({ amount: 1999 });
    const refunded = await stack.refund(payment.paymentId);
    assert.equal(refunded.status, 200);
    assert.deepEqual(await refunded.json(), { ...payment, status: 'refunded' });
    const [charge] = await stack.chargesAtProcessor(payment.orderId);
    assert.deepEqual([charge?.status, charge?.refundedAmount], ['refunded', 1999]);

    const again = await stack.refund(payment.paymentId);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(await stack.metric('refunds_total'), 1);

    const event = await eventually('payment.refunded', async () => stack.eventsOf(payment.orderId).find((e) => e.type === 'payment.refunded'));
    assert.deepEqual(event.data, { paymentId: payment.paymentId, orderId: payment.orderId, userId: payment.userId, amount: 1999, currency: 'EUR' });
    const books = await audit(payment.orderId);
    assert.equal(books.balanced, true);
    assert.deepEqual(books.orders, [{ orderId: payment.orderId, captures: 1, refunds: 1, capturedAmount: 1999, refundedAmount: 1999 }]);
  });

  it('refuses to refund a declined payment (409) or an unknown one (404)', async () => {
    const order = stack.order({ cardToken: TEST_CARD_TOKENS.declined });
    const declined = (await (await stack.charge(order)).json()) as { paymentId: string };
    const refused = await stack.refund(declined.paymentId);
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as { name: string }).name, 'payment-not-refundable');
    assert.equal((await stack.refund(randomUUID())).status, 404);
  });

  it('audits a balanced ledger: totals equal the money still held, no order captured twice (admin only)', async () => {
    const kept = await captured({ amount: 5000 });
    await stack.refund((await captured({ amount: 700 })).paymentId);
    const books = await audit();
    assert.equal(books.balanced, true);
    assert.equal(books.complete, true);
    assert.deepEqual(books.doubleCaptured, []);
    const outstanding = books.orders.reduce((sum, o) => sum + o.capturedAmount - o.refundedAmount, 0);
    assert.deepEqual(books.totals, { card_processor_clearing: outstanding, order_revenue: -outstanding });
    assert.ok(books.orders.some((o) => o.orderId === kept.orderId && o.captures === 1 && o.refunds === 0));

    assert.equal((await stack.get('/v1/ledger/audit')).status, 401);
    assert.equal((await stack.get('/v1/ledger/audit', await stack.token(randomUUID()))).status, 403);
  });

  it('the database refuses an unbalanced ledger transaction and any change to a ledger line', async () => {
    const payment = await captured();
    const insert = `INSERT INTO ledger_entries (transaction_id, kind, payment_id, order_id, account, amount, currency) VALUES ($1, 'refund', $2, $3, 'order_revenue', 1, 'EUR')`;
    await assert.rejects(stack.payment.pool.query(insert, [randomUUID(), payment.paymentId, payment.orderId]), /does not balance/);
    await assert.rejects(stack.payment.pool.query('UPDATE ledger_entries SET amount = amount * 2 WHERE order_id = $1', [payment.orderId]), /append-only/);
    assert.equal((await audit()).balanced, true);
  });

  it('shows a signed-in user their own payments only, newest first; no token, no history', async () => {
    const userId = randomUUID();
    const first = await captured({ userId });
    const second = await captured({ userId, amount: 100 });
    await captured();
    const history = await stack.get('/v1/payments/history', await stack.token(userId));
    assert.equal(history.status, 200);
    assert.deepEqual(
      ((await history.json()) as { items: Payment[] }).items.map((p) => p.paymentId),
      [second.paymentId, first.paymentId],
    );
    const anonymous = await stack.get('/v1/payments/history');
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { name: string }).name, 'unauthorized');
  });
});
