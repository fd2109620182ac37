import assert from 'node:assert/strict';
import { TEST_CARD_TOKENS } from '@faultline/contracts';
import { eventually } from '@faultline/lab/testing';
import { type Stack, startStack } from './support.js';

interface Payment {
  paymentId: string;
  orderId: string;
  userId: string;
  amount: number;
  status: string;
  declineReason?: string;
}

describe('payment: charging an order', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack?.stop());

  const problemOf = async (response: Response) => (await response.json()) as { name: string; detail?: string };

  it('captures a successful charge: 201, stored, one charge at the processor, payment.authorized published', async () => {
    const order = stack.order();
    const response = await stack.charge(order);
    assert.equal(response.status, 201);
    const payment = (await response.json()) as Payment;
    const { cardToken: _token, ...ordered } = order;
    assert.deepEqual({ ...payment, paymentId: 'x', createdAt: 'x' }, { ...ordered, paymentId: 'x', status: 'captured', createdAt: 'x' });
    assert.equal(response.headers.get('location'), `/v1/payments/${payment.paymentId}`);
    assert.deepEqual(await (await stack.get(`/v1/payments/${payment.paymentId}`)).json(), payment);

    const charges = await stack.chargesAtProcessor(order.orderId);
    assert.deepEqual(
      charges.map((c) => c.status),
      ['succeeded'],
    );
    const event = await eventually('payment.authorized', async () => stack.eventsOf(order.orderId).find((e) => e.type === 'payment.authorized'));
    assert.deepEqual(event.data, { paymentId: payment.paymentId, orderId: order.orderId, userId: order.userId, amount: 4200, currency: 'EUR' });
    assert.equal(await stack.metric('payments_total', { outcome: 'captured' }), 1);
  });

  it('answers a retry with the same key with the same payment, and the card is charged once', async () => {
    const order = stack.order();
    const first = (await (await stack.charge(order)).json()) as Payment;
    const retries = await Promise.all([stack.charge(order), stack.charge(order), stack.charge(order)]);
    for (const retry of retries) {
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await retry.json(), first);
    }
    assert.equal((await stack.chargesAtProcessor(order.orderId)).length, 1);
    assert.deepEqual(await (await stack.get(`/v1/payments?orderId=${order.orderId}`)).json(), first);
    await eventually('the event', async () => stack.eventsOf(order.orderId)[0]);
    assert.equal(stack.eventsOf(order.orderId).length, 1, 'one payment.authorized, however many retries');
  });

  it('makes one payment when the first requests for an order arrive concurrently', async () => {
    const order = stack.order();
    const answers = await Promise.all(Array.from({ length: 4 }, () => stack.charge(order)));
    const ids = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as Payment).paymentId)));
    assert.deepEqual(
      answers.map((a) => a.status),
      [201, 201, 201, 201],
    );
    assert.equal(ids.size, 1);
    assert.equal((await stack.chargesAtProcessor(order.orderId)).length, 1);
  });

  it('answers a declined card with 402 payment-declined, stores it and publishes payment.declined; a retry is declined again', async () => {
    const order = stack.order({ cardToken: TEST_CARD_TOKENS.declined });
    for (const _ of [1, 2]) {
      const declined = await stack.charge(order);
      assert.equal(declined.status, 402);
      const problem = (await declined.json()) as { name: string; reason: string; paymentId: string };
      assert.deepEqual([problem.name, problem.reason], ['payment-declined', 'card_declined']);
    }
    const stored = (await (await stack.get(`/v1/payments?orderId=${order.orderId}`)).json()) as Payment;
    assert.deepEqual([stored.status, stored.declineReason], ['declined', 'card_declined']);
    const event = await eventually('payment.declined', async () => stack.eventsOf(order.orderId).find((e) => e.type === 'payment.declined'));
    assert.deepEqual(event.data, { orderId: order.orderId, userId: order.userId, amount: 4200, currency: 'EUR', reason: 'card_declined' });
    assert.deepEqual(await stack.chargesAtProcessor(order.orderId), []);
  });

  it('declines a card the processor cannot process (processing_error) after one call, neither retried nor held against the breaker', async () => {
    const ignoredBefore = (await stack.metric('resilience4j_circuitbreaker_calls_seconds_count', { name: 'providers', kind: 'ignored' })) ?? 0;
    const order = stack.order({ cardToken: TEST_CARD_TOKENS.failure });
    const declined = await stack.charge(order);
    assert.equal(declined.status, 402);
    const problem = await problemOf(declined);
    assert.equal(problem.name, 'payment-declined');
    assert.equal((problem as { reason?: unknown }).reason, 'processing_error');
    assert.equal(
      await stack.metric('resilience4j_circuitbreaker_calls_seconds_count', { name: 'providers', kind: 'ignored' }),
      ignoredBefore + 1,
      'one attempt, counted as ignored by the breaker',
    );
    assert.deepEqual(await stack.chargesAtProcessor(order.orderId), []);
  });

  it('requires the order id as Idempotency-Key, and refuses another amount for a charged order', async () => {
    const order = stack.order();
    const keyless = await stack.charge(order, null);
    assert.equal(keyless.status, 400);
    assert.equal((await problemOf(keyless)).name, 'idempotency-key-missing');
    const tooLong = await stack.charge(order, 'k'.repeat(256));
    assert.equal((await problemOf(tooLong)).name, 'idempotency-key-invalid');
    const mismatch = await stack.charge(order, 'another-key');
    assert.equal(mismatch.status, 422);
    assert.equal((await problemOf(mismatch)).name, 'idempotency-key-mismatch');

    assert.equal((await stack.charge(order)).status, 201);
    const otherAmount = await stack.charge({ ...order, amount: 1 });
    assert.equal(otherAmount.status, 409);
    assert.equal((await problemOf(otherAmount)).name, 'idempotency-key-reused');

    const unknownToken = await stack.charge(stack.order({ cardToken: 'tok_unknown' }));
    assert.equal(unknownToken.status, 422);
    assert.equal((await problemOf(unknownToken)).name, 'unknown-card-token');
  });

  it('answers 404 payment-not-found for an order that was never charged', async () => {
    const missing = await stack.get(`/v1/payments?orderId=${stack.order().orderId}`);
    assert.equal(missing.status, 404);
    assert.equal((await problemOf(missing)).name, 'payment-not-found');
  });
});
