import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '@faultline/lab/testing';
import { counterValue, type NotificationLab, startNotificationLab, TEST_RETRY_DELAYS_MS } from './support/notification-lab.js';

interface HistoryPage {
  items: { eventId: string; status: string; attempts: number; lastError: string | null; sentAt: string | null }[];
}

const product = '6f0d6b1c-3c4f-4f54-9a59-5b7c1d1e2f30';
const MAX_ATTEMPTS = TEST_RETRY_DELAYS_MS.length + 1;

describe('notification: retries, dead letters and poison messages', () => {
  let lab: NotificationLab;
  const user = { userId: randomUUID(), email: 'linus@example.test', name: 'Linus' };
  const orderConfirmed = (userId: string, total = 1999) =>
    lab.event('order.confirmed', { orderId: randomUUID(), userId, items: [{ productId: product, quantity: 1, unitPrice: total }], total, currency: 'EUR' });
  const history = async () => (await (await lab.get('/v1/notifications', lab.tokens.sign(user.userId))).json()) as HistoryPage;
  const failedCount = async (reason: string) =>
    counterValue(await lab.metrics(), 'notifications_failed_total', { channel: 'email', template: 'order-confirmed', reason });

  before(async () => {
    lab = await startNotificationLab();
    await lab.publish(lab.event('user.registered', user));
    await eventually('the welcome message', async () => lab.provider.delivered.size === 1 || undefined);
  });
  beforeEach(async () => {
    lab.provider.reset();
    await lab.drainDeadLetters();
  });
  after(() => lab?.stop());

  it("exports every template's failure reasons at 0 before anything failed, so dashboards show 0 rather than no data", async () => {
    const metrics = await lab.metrics();
    for (const reason of ['provider', 'unknown-recipient'])
      assert.match(
        metrics,
        new RegExp(`^notifications_failed_total\\{(?=[^}]*template="payment-declined")(?=[^}]*reason="${reason}")[^}]*\\} 0$`, 'm'),
        reason,
      );
  });

  it('delivers after the consumer retried a provider that failed twice', async () => {
    lab.provider.fail(2);
    const event = await lab.publish(orderConfirmed(user.userId));
    const sent = await eventually('the message after two retries', async () => lab.provider.delivered.get(event.id));
    assert.equal(sent.to, user.email);
    const row = await eventually('the history row to say sent', async () => (await history()).items.find((i) => i.eventId === event.id && i.status === 'sent'));
    assert.equal(row.attempts, 3);
    assert.ok(row.sentAt);
    assert.equal(await failedCount('provider'), 2);
    assert.equal(await lab.deadLetterDepth(), 0);
  });

  it('gives up into the dead-letter queue when the provider keeps failing, and the history and metrics show it', async () => {
    lab.provider.fail(Number.POSITIVE_INFINITY);
    const before = await failedCount('provider');
    const event = await lab.publish(orderConfirmed(user.userId));
    await eventually('the event in the dead-letter queue', async () => ((await lab.deadLetterDepth()) === 1 ? true : undefined));

    const row = (await history()).items.find((i) => i.eventId === event.id);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.attempts, MAX_ATTEMPTS);
    assert.match(row?.lastError ?? '', /service-unavailable: the message sink is failing on purpose/);
    assert.equal((await failedCount('provider')) - before, MAX_ATTEMPTS);
    assert.match(await lab.metrics(), /notifications_dead_letters\{[^}]*\} 1/);

    const admin = lab.tokens.sign(randomUUID(), ['admin']);
    const depth = (await (await lab.get('/v1/notifications/dead-letters', admin)).json()) as { queue: string; messages: number };
    assert.deepEqual(depth, { queue: lab.deadLetterQueue, messages: 1 });
    assert.equal((await lab.get('/v1/notifications/dead-letters', lab.tokens.sign(user.userId))).status, 403);

    const [dead] = await lab.drainDeadLetters();
    assert.equal(dead?.properties.messageId, event.id);
    assert.equal(dead?.properties.headers?.['x-dead-letter-reason'], 'retries-exhausted');
    assert.equal(lab.provider.delivered.size, 0);
  });

  it('dead-letters a poison payload at once, without retries or a send', async () => {
    const poison = await lab.publish(lab.event('order.confirmed', { orderId: 'not-a-uuid', userId: user.userId, items: [], total: -5, currency: 'USD' }));
    await eventually('the poison message in the dead-letter queue', async () => ((await lab.deadLetterDepth()) === 1 ? true : undefined));
    const [dead] = await lab.drainDeadLetters();
    assert.equal(dead?.properties.messageId, poison.id);
    assert.equal(dead?.properties.headers?.['x-dead-letter-reason'], 'invalid-payload');
    assert.equal(dead?.properties.headers?.['x-retry-count'], undefined);
    assert.equal(lab.provider.received.length, 0);
  });

  it('retries an event for a user it does not know yet, and sends it once the registration arrives', async () => {
    const late = { userId: randomUUID(), email: 'late@example.test', name: 'Late' };
    const before = await failedCount('unknown-recipient');
    const event = await lab.publish(orderConfirmed(late.userId, 500));
    await eventually('a first attempt to fail for the unknown user', async () => ((await failedCount('unknown-recipient')) > before ? true : undefined));
    await lab.publish(lab.event('user.registered', late));
    const sent = await eventually('the order message once the user is known', async () => lab.provider.delivered.get(event.id));
    assert.equal(sent.to, late.email);
    assert.match(sent.body, /total €5\.00/);
  });

  it('dead-letters an event for a user that never registers, after the last retry', async () => {
    const event = await lab.publish(orderConfirmed(randomUUID()));
    await eventually('the orphan event in the dead-letter queue', async () => ((await lab.deadLetterDepth()) === 1 ? true : undefined));
    const [dead] = await lab.drainDeadLetters();
    assert.equal(dead?.properties.messageId, event.id);
    assert.match(String(dead?.properties.headers?.['x-dead-letter-detail']), /Recipient not known yet/);
    assert.equal(lab.provider.received.length, 0);
  });
});
