import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TEST_CARD_TOKENS } from '@faultline/contracts';
import { jaegerQueryUrl, promVector, rabbitmqUrl, startComponent, stopComponent, toxiproxyUrl } from '@faultline/lab';
import { eventually } from '@faultline/lab/testing';
import amqp from 'amqplib';
import { adminToken } from '../../packages/lab/src/topology/audit.js';
import { runLoad } from '../../packages/lab/src/topology/load.js';
import { serviceComponent, serviceUrl } from '../../packages/lab/src/topology/services.js';
import { api, type Customer, cfg, checkout, ensureShop, expectCleanAudit, finalOrder, newCustomer, PRODUCTS } from './lab.js';

const toxic = (edge: string, body: Record<string, unknown>) =>
  fetch(`${toxiproxyUrl(cfg)}/proxies/${edge}/toxics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const removeToxic = (edge: string, name: string) => fetch(`${toxiproxyUrl(cfg)}/proxies/${edge}/toxics/${name}`, { method: 'DELETE' });

async function ledgerFor(orderId: string): Promise<{ captures: number; refunds: number; capturedAmount: number; refundedAmount: number } | undefined> {
  const token = await adminToken(cfg);
  const response = await fetch(`${serviceUrl(cfg, 'payment')}/v1/ledger/audit?orderId=${orderId}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await response.json()) as { orders: { orderId: string; captures: number; refunds: number; capturedAmount: number; refundedAmount: number }[] };
  return body.orders.find((o) => o.orderId === orderId);
}

async function messagesFor(to: string): Promise<{ subject?: string; body: string; reference: string }[]> {
  const response = await fetch(`${serviceUrl(cfg, 'providers')}/v1/messages?to=${encodeURIComponent(to)}&limit=50`);
  return ((await response.json()) as { items: { subject?: string; body: string; reference: string }[] }).items;
}

describe('the shop, all six services running natively behind the gateway and Toxiproxy', function () {
  this.timeout(120_000);
  let customer: Customer;

  before(async () => {
    await ensureShop();
    customer = await newCustomer();
  });

  it('a happy checkout is confirmed, charged once and notified, as one trace across the services', async () => {
    const answer = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 2 }]);
    assert.ok([201, 202].includes(answer.status), `checkout answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    const order = await finalOrder(customer, answer.orderId);
    assert.equal(order.status, 'confirmed');
    assert.equal((await ledgerFor(answer.orderId))?.captures, 1);
    await eventually('the order confirmation email', async () =>
      (await messagesFor(customer.email)).some((m) => /confirmed/i.test(`${m.subject} ${m.body}`)) ? true : undefined,
    );

    const traceId = answer.traceparent.split('-')[1] as string;
    const services = await eventually(
      'the checkout trace in Jaeger with spans of every service on the path',
      async () => {
        const response = await fetch(`${jaegerQueryUrl(cfg)}/api/traces/${traceId}`);
        if (!response.ok) return undefined;
        const trace = ((await response.json()) as { data: { processes: Record<string, { serviceName: string }> }[] }).data[0];
        const names = new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
        return ['order', 'product', 'payment', 'providers', 'notification'].every((s) => names.has(s)) ? names : undefined;
      },
      30_000,
      1000,
    );
    assert.ok(services.has('order'));
    for (const service of ['order', 'product', 'payment', 'providers', 'notification']) {
      const log = await readFile(path.join(cfg.stateDir, 'logs', `${service}.log`), 'utf8');
      assert.ok(log.includes(`"id":"${traceId}"`), `${service}'s log has no line with trace.id ${traceId}`);
    }
    await expectCleanAudit();
  });

  it('a declined card cancels the order, releases the stock, notifies, and charges nobody', async () => {
    const answer = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 1 }], TEST_CARD_TOKENS.declined);
    const order = await finalOrder(customer, answer.orderId);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'payment-declined');
    assert.equal((await ledgerFor(answer.orderId))?.captures ?? 0, 0);
    await eventually('the decline email', async () =>
      (await messagesFor(customer.email)).some((m) => /declined/i.test(`${m.subject} ${m.body}`)) ? true : undefined,
    );
    await expectCleanAudit();
  });

  it('an order beyond the stock is rejected and nobody is charged', async () => {
    const answer = await checkout(customer, [{ productId: PRODUCTS.plush, quantity: 6 }]);
    if (answer.status === 201 || answer.status === 202) {
      const order = await finalOrder(customer, answer.orderId);
      assert.equal(order.status, 'cancelled');
      assert.equal(order.cancelReason, 'out-of-stock');
      assert.equal((await ledgerFor(answer.orderId))?.captures ?? 0, 0);
    } else {
      assert.equal(answer.status, 409, JSON.stringify(answer.body));
      assert.equal(answer.body.name, 'out-of-stock');
    }
    await expectCleanAudit();
  });

  it('a payment call whose answer never comes back (timeout toxic) is resolved without a double charge', async () => {
    // The request reaches payment (the card is charged) but the answer is held: an unknown outcome.
    const name = `hold-answers-${randomUUID().slice(0, 8)}`;
    assert.equal((await toxic('order__payment', { name, type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } })).status, 200);
    let orderId = '';
    try {
      const answer = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 1 }]);
      orderId = answer.orderId;
      assert.ok([201, 202].includes(answer.status), `checkout answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      await new Promise((r) => setTimeout(r, 4000));
    } finally {
      await removeToxic('order__payment', name);
    }
    const order = await finalOrder(customer, orderId, 60_000);
    assert.equal(order.status, 'confirmed');
    assert.equal((await ledgerFor(orderId))?.captures, 1, 'charged exactly once');
    await expectCleanAudit();
  });

  it('the order service killed in the middle of a saga finishes it after a restart', async () => {
    const name = `stall-${randomUUID().slice(0, 8)}`;
    await toxic('order__payment', { name, type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } });
    let orderId = '';
    try {
      const answer = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 1 }]);
      orderId = answer.orderId;
      assert.equal(answer.status, 202, `checkout answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      assert.equal(await stopComponent(cfg, serviceComponent('order')), true);
    } finally {
      await removeToxic('order__payment', name);
    }
    await startComponent(cfg, serviceComponent('order'));
    const order = await finalOrder(customer, orderId, 60_000);
    assert.equal(order.status, 'confirmed');
    assert.equal((await ledgerFor(orderId))?.captures, 1);
    await expectCleanAudit();
  });

  it('the same message delivered twice has no duplicate effect', async () => {
    const connection = await amqp.connect(rabbitmqUrl(cfg));
    const channel = await connection.createConfirmChannel();
    const me = (await (await fetch(`${api}/users/me`, { headers: { authorization: `Bearer ${customer.token}` } })).json()) as { id: string };
    const envelope = {
      id: randomUUID(),
      type: 'order.cancelled',
      occurredAt: new Date().toISOString(),
      data: { orderId: randomUUID(), userId: me.id, reason: 'customer-request', refunded: false },
    };
    for (let i = 0; i < 2; i += 1) {
      channel.publish('faultline.events', 'order.cancelled', Buffer.from(JSON.stringify(envelope)), {
        messageId: envelope.id,
        contentType: 'application/json',
        persistent: true,
      });
    }
    await channel.waitForConfirms();
    await connection.close();
    const sent = await eventually('the cancellation email', async () => {
      const messages = (await messagesFor(customer.email)).filter((m) => m.reference === envelope.id);
      return messages.length ? messages : undefined;
    });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await messagesFor(customer.email)).filter((m) => m.reference === envelope.id).length, sent.length);
    assert.equal(sent.length, 1);
  });

  it('Prometheus has RED metrics of every service and resilience metrics of every dependency', async () => {
    const query = async (promql: string) => (await promVector(cfg, promql)).map((r) => r.metric);
    // Every service answers HTTP at least once (notification otherwise only consumes messages).
    const history = await fetch(`${api}/notifications`, { headers: { authorization: `Bearer ${customer.token}` } });
    assert.equal(history.status, 200);
    const applications = await eventually(
      'RED series of all six services',
      async () => {
        const found = new Set((await query('sum by (application) (http_server_requests_seconds_count)')).map((m) => m.application));
        return ['user', 'product', 'order', 'payment', 'notification', 'providers'].every((s) => found.has(s)) ? found : undefined;
      },
      30_000,
      1000,
    );
    assert.equal(applications.size >= 6, true);
    const breakers = new Set((await query('max by (application, name) (resilience4j_circuitbreaker_state)')).map((m) => `${m.application}→${m.name}`));
    for (const edge of ['order→product', 'order→payment', 'payment→providers', 'notification→providers'])
      assert.ok(breakers.has(edge), `no breaker metrics for ${edge}: ${[...breakers].join(', ')}`);
  });

  it('the k6 smoke profile passes its SLO thresholds through the gateway, and its results land in Prometheus', async () => {
    const result = await runLoad(cfg, { profile: 'smoke' });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /PASS {2}http_req_failed rate<0\.01/);
    await eventually('k6 samples in Prometheus', async () => ((await promVector(cfg, 'k6_http_reqs_total{profile="smoke"}')).length ? true : undefined));
  });

  it('a load run stops when its signal aborts (Ctrl-C, an abort guard), and its samples carry the run tags', async () => {
    const run = `stop-${randomUUID().slice(0, 8)}`;
    const abort = new AbortController();
    const started = Date.now();
    const k6 = runLoad(cfg, { profile: 'experiment', env: { RATE: '2', DURATION: '120', RUN_ID: run }, tags: { run }, signal: abort.signal });
    try {
      await eventually(
        'k6 samples tagged with the run',
        async () => ((await promVector(cfg, `k6_http_reqs_total{run="${run}",profile="experiment"}`)).length ? true : undefined),
        30_000,
      );
    } finally {
      abort.abort();
      await k6;
    }
    assert.ok(Date.now() - started < 60_000, `k6 ran ${Math.round((Date.now() - started) / 1000)} s of its 120 s after the abort`);
  });
});
