import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '@faultline/lab/testing';
import { counterValue, type NotificationLab, startNotificationLab } from './support/notification-lab.js';

/**
 * A burst of registrations against a slow provider, with fewer pool connections than messages in
 * flight: a handler that held its transaction's connection across the provider call (and asked the
 * pool again) would starve the pool, time out and retry or dead-letter its messages.
 */
describe('notification under a burst of registrations against a slow provider', function () {
  this.timeout(120_000);
  const BURST = 200;
  let lab: NotificationLab;
  before(async () => {
    lab = await startNotificationLab({
      DATABASE_POOL_MAX: '4',
      NOTIFY_PREFETCH: '10',
      PROVIDERS_POLICY: JSON.stringify({ retry: { maxAttempts: 1 }, bulkhead: { maxConcurrent: 10 } }),
    });
    lab.provider.script.delayMs = 250;
  });
  after(() => lab?.stop());

  it('delivers each of 200 welcome messages once, with nothing retried or dead-lettered', async () => {
    const users = Array.from({ length: BURST }, (_, i) => ({ userId: randomUUID(), email: `burst-${i}@example.com`, name: `Burst ${i}` }));
    await Promise.all(users.map((user) => lab.publish(lab.event('user.registered', user))));
    const queue = `${lab.service.config.SERVICE_NAME}.events`;
    await eventually(
      `${BURST} messages handled`,
      async () => {
        const metrics = await lab.metrics();
        const handled = ['acked', 'retried', 'dead_lettered'].reduce(
          (sum, outcome) => sum + counterValue(metrics, 'messaging_consumed_total', { queue, outcome }),
          0,
        );
        return handled >= BURST || undefined;
      },
      90_000,
      500,
    );
    const metrics = await lab.metrics();
    assert.equal(counterValue(metrics, 'messaging_consumed_total', { queue, outcome: 'retried' }), 0, 'no message was retried');
    assert.equal(counterValue(metrics, 'messaging_consumed_total', { queue, outcome: 'dead_lettered' }), 0, 'no message was dead-lettered');
    assert.equal(counterValue(metrics, 'messaging_consumed_total', { queue, outcome: 'acked' }), BURST);
    assert.equal(await lab.deadLetterDepth(), 0);
    assert.equal(lab.provider.received.length, BURST, 'each message sent exactly once');
    assert.deepEqual(new Set(lab.provider.received.map((r) => r.message.to)), new Set(users.map((u) => u.email)));
    assert.equal(counterValue(metrics, 'notifications_sent_total', { channel: 'email', template: 'welcome' }), BURST);
  });
});
