import assert from 'node:assert/strict';
import { eventually } from '@faultline/lab/testing';
import { type Stack, startStack } from './support.js';

interface Payment {
  paymentId: string;
  status: string;
}

// The payment → providers edge goes through a Toxiproxy proxy. The timeout per attempt (300 ms)
// is far below the 2 s latency toxic, so every attempt times out while the processor, which got
// the request at once, has already charged the card: the outcome is unknown to payment.
describe('payment: an unknown outcome on the payment → providers edge', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      viaToxiproxy: true,
      env: {
        PROVIDERS_POLICY: JSON.stringify({ timeoutMs: 300, retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 50 } }),
        PROVIDERS_DEADLINE_MS: '1500',
      },
    });
  });
  after(() => stack?.stop());

  const proxy = () => stack.proxy as NonNullable<Stack['proxy']>;
  const problemName = async (response: Response) => ((await response.json()) as { name: string }).name;

  /** Charge with a 2 s latency toxic on the answers: the call must time out well before the latency ends. */
  async function chargeTimingOut(order: ReturnType<Stack['order']>) {
    const toxic = await proxy().addToxic({
      name: 'latency_down',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 2000, jitter: 0 },
    });
    try {
      const started = performance.now();
      const response = await stack.charge(order);
      assert.ok(performance.now() - started < 1900, `answered after ${Math.round(performance.now() - started)} ms`);
      assert.equal(response.status, 504);
      assert.equal(await problemName(response), 'dependency-timeout');
    } finally {
      await toxic.remove();
    }
    // The processor charged the card although payment never heard back.
    await eventually('the charge at the processor', async () => ((await stack.chargesAtProcessor(order.orderId)).length === 1 ? true : undefined));
  }

  it('a timed-out charge stores no payment, and a retry with the same key resolves to exactly one captured charge', async () => {
    const order = stack.order();
    await chargeTimingOut(order);
    assert.equal(await stack.metric('payments_total', { outcome: 'failed' }), 1);
    assert.ok((await stack.metric('resilience4j_timelimiter_calls_total', { name: 'providers', kind: 'timeout' })) >= 2, 'both attempts timed out');
    const audit = await stack.payment.pool.query('SELECT 1 FROM payments WHERE order_id = $1', [order.orderId]);
    assert.equal(audit.rowCount, 0, 'no payment recorded while the outcome is unknown');

    const retry = await stack.charge(order);
    assert.equal(retry.status, 201);
    const payment = (await retry.json()) as Payment;
    assert.equal(payment.status, 'captured');
    const charges = await stack.chargesAtProcessor(order.orderId);
    assert.equal(charges.length, 1, 'never two charges');
    const stored = await stack.payment.pool.query<{ charge_id: string }>('SELECT charge_id FROM payments WHERE order_id = $1', [order.orderId]);
    assert.equal(stored.rows[0]?.charge_id, charges[0]?.chargeId, 'the payment is the charge the processor made');
    await eventually('payment.authorized', async () => stack.eventsOf(order.orderId)[0]);
    assert.deepEqual(
      stack.eventsOf(order.orderId).map((e) => e.type),
      ['payment.authorized'],
    );
  });

  it('a lookup by order id resolves a timed-out charge from the processor; a later retry answers the same payment', async () => {
    const order = stack.order();
    await chargeTimingOut(order);

    const lookup = await stack.get(`/v1/payments?orderId=${order.orderId}`);
    assert.equal(lookup.status, 200);
    const resolved = (await lookup.json()) as Payment;
    assert.equal(resolved.status, 'captured');

    const retry = await stack.charge(order);
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await retry.json()) as Payment).paymentId, resolved.paymentId);
    assert.equal((await stack.chargesAtProcessor(order.orderId)).length, 1);
  });

  it('with the edge down nothing is charged (502); once it is back a retry asks first, then charges once', async () => {
    const order = stack.order();
    const down = await proxy().update({ enabled: false, listen: proxy().listen, upstream: proxy().upstream });
    try {
      const failed = await stack.charge(order);
      assert.equal(failed.status, 502);
      assert.equal(await problemName(failed), 'dependency-failed');
    } finally {
      stack.proxy = await down.update({ enabled: true, listen: down.listen, upstream: down.upstream });
    }
    assert.deepEqual(await stack.chargesAtProcessor(order.orderId), []);
    const retry = await stack.charge(order);
    assert.equal(retry.status, 201);
    assert.equal((await stack.chargesAtProcessor(order.orderId)).length, 1);
  });
});
