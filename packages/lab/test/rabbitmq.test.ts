import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { rabbitmqAuth, rabbitmqManagementUrl, rabbitmqUrl } from '../src/index.js';
import { eventually, lab, unique } from './support.js';

describe('RabbitMQ (private node)', () => {
  it('publishes with confirms, consumes and acks through amqplib', async () => {
    const connection = await amqp.connect(rabbitmqUrl(lab()));
    try {
      const channel = await connection.createConfirmChannel();
      const exchange = `test.${unique()}`;
      await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: true });
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, exchange, 'order.*');
      for (const id of [1, 2, 3]) channel.publish(exchange, 'order.confirmed', Buffer.from(JSON.stringify({ id })), { messageId: `m${id}`, persistent: true });
      await channel.waitForConfirms();

      const received: number[] = [];
      await channel.prefetch(10);
      await channel.consume(queue, (message) => {
        if (!message) return;
        received.push((JSON.parse(message.content.toString()) as { id: number }).id);
        channel.ack(message);
      });
      await eventually('three messages', async () => (received.length === 3 ? received : undefined), 5000, 50);
      assert.deepEqual(received, [1, 2, 3]);

      // Acked means gone: the management API reports the queue empty with nothing unacked.
      const stats = await eventually('queue stats', async () => {
        const response = await fetch(`${rabbitmqManagementUrl(lab())}/api/queues/%2F/${encodeURIComponent(queue)}`, { headers: rabbitmqAuth });
        const body = (await response.json()) as { messages?: number; messages_unacknowledged?: number };
        return body.messages === 0 && body.messages_unacknowledged === 0 ? body : undefined;
      });
      assert.equal(stats.messages, 0);
      await channel.close();
    } finally {
      await connection.close();
    }
  });

  it('serves the management API and the Prometheus endpoint', async () => {
    const overview = await fetch(`${rabbitmqManagementUrl(lab())}/api/overview`, { headers: rabbitmqAuth });
    assert.equal(overview.status, 200);
    assert.match(((await overview.json()) as { node: string }).node, /^faultline@/);
    const metrics = await fetch(`http://127.0.0.1:${lab().ports['rabbitmq-prometheus']}/metrics`);
    assert.match(await metrics.text(), /rabbitmq_build_info/);
  });
});
