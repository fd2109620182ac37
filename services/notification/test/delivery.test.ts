import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '@faultline/lab/testing';
import { counterValue, type NotificationLab, startNotificationLab } from './support/notification-lab.js';

interface HistoryPage {
  userId: string;
  total: number;
  items: {
    eventId: string;
    template: string;
    channel: string;
    to: string;
    subject: string;
    body: string;
    status: string;
    attempts: number;
    sentAt: string | null;
  }[];
}

const product = '6f0d6b1c-3c4f-4f54-9a59-5b7c1d1e2f30';

describe('notification: messages for domain events', () => {
  let lab: NotificationLab;
  const ada = { userId: randomUUID(), email: 'ada@example.test', name: 'Ada' };
  const grace = { userId: randomUUID(), email: 'grace@example.test', name: 'Grace' };

  before(async () => {
    lab = await startNotificationLab();
    await lab.publish(lab.event('user.registered', ada));
    await lab.publish(lab.event('user.registered', grace));
    await eventually('both welcome messages', async () => lab.provider.delivered.size === 2 || undefined);
  });
  after(() => lab?.stop());

  it('welcomes a registered user at the address from user.registered', () => {
    const welcome = [...lab.provider.delivered.values()].find((m) => m.to === ada.email);
    assert.equal(welcome?.channel, 'email');
    assert.match(welcome?.subject ?? '', /Welcome to Faultline, Ada/);
  });

  it('confirms an order by email with its total in euros, idempotency-keyed by the event id, and keeps it in the history', async () => {
    const orderId = randomUUID();
    const confirmed = await lab.publish(
      lab.event('order.confirmed', {
        orderId,
        userId: ada.userId,
        items: [
          { productId: product, quantity: 2, unitPrice: 50_000 },
          { productId: product, quantity: 1, unitPrice: 23_456 },
        ],
        total: 123_456,
        currency: 'EUR',
      }),
    );
    const sent = await eventually('the order confirmation at the provider', async () => lab.provider.delivered.get(confirmed.id));
    assert.equal(sent.to, ada.email);
    assert.match(sent.subject ?? '', new RegExp(`order ${orderId.slice(0, 8)} is confirmed`));
    assert.match(sent.body, /total €1,234\.56/);
    assert.match(sent.body, /3 items/);
    assert.equal(lab.provider.received.find((r) => r.message.reference === confirmed.id)?.idempotencyKey, confirmed.id);

    const history = (await (await lab.get('/v1/notifications', lab.tokens.sign(ada.userId))).json()) as HistoryPage;
    const row = history.items.find((item) => item.eventId === confirmed.id);
    assert.deepEqual(
      { template: row?.template, channel: row?.channel, to: row?.to, status: row?.status, attempts: row?.attempts },
      { template: 'order-confirmed', channel: 'email', to: ada.email, status: 'sent', attempts: 1 },
    );
    assert.ok(row?.sentAt);
    assert.equal(counterValue(await lab.metrics(), 'notifications_sent_total', { channel: 'email', template: 'order-confirmed' }), 1);
  });

  it('sends one message when the same event is delivered twice', async () => {
    const event = lab.event('payment.refunded', { paymentId: randomUUID(), orderId: randomUUID(), userId: grace.userId, amount: 999, currency: 'EUR' });
    const queue = `${lab.service.config.SERVICE_NAME}.events`;
    const acked = async () => counterValue(await lab.metrics(), 'messaging_consumed_total', { queue, outcome: 'acked' });
    const before = await acked();
    await lab.publish(event);
    // The send happens before the transaction that marks the event processed: a redelivery after
    // that sends nothing (two copies in flight at once may both send; the provider delivers the
    // reference once).
    await eventually('the first copy to be processed', async () => (await acked()) > before || undefined);
    await lab.publish(event);
    await eventually('the duplicate to be absorbed', async () => {
      const metrics = await lab.metrics();
      return counterValue(metrics, 'messaging_consumed_total', { queue: `${lab.service.config.SERVICE_NAME}.events`, outcome: 'duplicate' }) >= 1 || undefined;
    });
    assert.equal(lab.provider.received.filter((r) => r.message.reference === event.id).length, 1);
    assert.match(lab.provider.delivered.get(event.id)?.body ?? '', /we refunded €9\.99/);
  });

  it('words cancellations and declined payments for the user, never passing card data on', async () => {
    const cancelled = await lab.publish(lab.event('order.cancelled', { orderId: randomUUID(), userId: grace.userId, reason: 'out-of-stock', refunded: true }));
    const declined = await lab.publish(
      lab.event('payment.declined', {
        orderId: randomUUID(),
        userId: grace.userId,
        amount: 4200,
        currency: 'EUR',
        reason: 'card 4242 4242 4242 4242 declined',
      }),
    );
    const cancellation = await eventually('the cancellation', async () => lab.provider.delivered.get(cancelled.id));
    assert.match(cancellation.body, /cancelled because an item in it is out of stock\. Any amount charged will be refunded\./);
    const decline = await eventually('the decline', async () => lab.provider.delivered.get(declined.id));
    assert.match(decline.body, /your payment of €42\.00 .* was declined/);
    assert.doesNotMatch(decline.body, /4242 4242 4242 4242/);
    assert.ok(!lab.logLines.some((line) => JSON.stringify(line).includes(grace.email)), 'no log line carries the address');
  });

  it("answers 401 without a token and shows each caller only their own messages, admins anyone's, a page at a time", async () => {
    assert.equal((await lab.get('/v1/notifications')).status, 401);

    const own = (await (await lab.get('/v1/notifications', lab.tokens.sign(grace.userId))).json()) as HistoryPage;
    assert.equal(own.userId, grace.userId);
    assert.ok(own.items.length >= 3);
    assert.ok(own.items.every((item) => item.to === grace.email));

    const snooping = await lab.get(`/v1/notifications?userId=${ada.userId}`, lab.tokens.sign(grace.userId));
    assert.equal(snooping.status, 403);
    assert.equal(((await snooping.json()) as { name: string }).name, 'forbidden');

    const admin = lab.tokens.sign(randomUUID(), ['admin']);
    const first = (await (await lab.get(`/v1/notifications?userId=${ada.userId}&limit=1`, admin)).json()) as HistoryPage;
    const second = (await (await lab.get(`/v1/notifications?userId=${ada.userId}&limit=1&offset=1`, admin)).json()) as HistoryPage;
    assert.equal(first.total, 2);
    assert.deepEqual([first.items[0]?.template, second.items[0]?.template], ['order-confirmed', 'welcome']);

    const badPage = await lab.get('/v1/notifications?limit=0', admin);
    assert.equal(badPage.status, 400);
  });
});
