import assert from 'node:assert/strict';
import { rabbitmqUrl } from '@faultline/lab';
import amqp from 'amqplib';
import type pg from 'pg';
import { z } from 'zod';
import { eventually, lab, unique } from '../../lab/test/support.js';
import { platformMigrations, runMigrations } from '../src/data/migrations.js';
import { createPool } from '../src/data/pool.js';
import { type Broker, connectBroker } from '../src/messaging/connection.js';
import { type Consumer, createConsumer } from '../src/messaging/consumer.js';
import { createEnvelope } from '../src/messaging/envelope.js';
import { defineHandler } from '../src/messaging/handlers.js';
import { createPublisher, type Publisher } from '../src/messaging/publisher.js';
import { deadLetterQueueName, retryQueueName } from '../src/messaging/topology.js';
import { createMetrics } from '../src/metrics.js';
import { captureLogger, createTestDatabase } from './data-support.js';
import { checkQueue, deleteExchange, deleteQueues, drainQueue, killConnections } from './messaging-support.js';

const orderConfirmed = z.object({ orderId: z.string() });
const url = rabbitmqUrl(lab());

describe('messaging over RabbitMQ', () => {
  const exchange = `test.events.${unique()}`;
  const { logger, lines } = captureLogger('messaging-test');
  const metrics = createMetrics('messaging-test');
  const queues: string[] = [];
  const consumers: Consumer[] = [];
  const brokers: Broker[] = [];
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let broker: Broker;
  let publisher: Publisher;
  // Made in before(): the management API lists a connection only after its next statistics tick.
  const recoveringName = `test-recovering-${unique()}`;
  let recovering: Broker;

  const newBroker = (name = `test-${unique()}`) => {
    const created = connectBroker(url, { logger, name, initialDelayMs: 50, maxDelayMs: 500 });
    brokers.push(created);
    return created;
  };

  /** A started consumer of `order.confirmed` with a unique queue; tiny retry delays. */
  async function consume(
    purpose: string,
    handle: (orderId: string, id: string, tx: pg.PoolClient) => Promise<void>,
    on: Broker = broker,
    retryDelaysMs = [100, 200],
  ) {
    const consumer = createConsumer(on, {
      service: 'test',
      purpose: `${purpose}-${unique()}`,
      exchange,
      pool,
      logger,
      registry: metrics.registry,
      prefetch: 5,
      retryDelaysMs,
      handlers: { 'order.confirmed': defineHandler(orderConfirmed, (message, tx) => handle(message.data.orderId, message.id, tx)) },
    });
    consumers.push(consumer);
    queues.push(consumer.queue, deadLetterQueueName(consumer.queue), ...retryDelaysMs.map((ms) => retryQueueName(consumer.queue, ms)));
    await consumer.start();
    return consumer;
  }

  const metricValue = async (name: string, labels: Record<string, string>) => {
    const text = await metrics.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line ? Number(line.split(' ')[1]) : 0;
  };

  before(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { logger, max: 10, applicationName: 'messaging-test' });
    await runMigrations(pool, { logger, migrations: platformMigrations() });
    await pool.query('CREATE TABLE notes (message_id text NOT NULL, order_id text NOT NULL)');
    broker = newBroker();
    recovering = newBroker(recoveringName);
    publisher = createPublisher(broker, { logger, exchange, registry: metrics.registry });
    await publisher.waitUntilReady();
  });

  // Every consumer here binds `order.confirmed`: only the current test's may be running.
  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.stop();
  });

  after(async () => {
    await publisher?.close();
    for (const b of brokers) await b.close();
    await deleteQueues(queues);
    await deleteExchange(exchange);
    await pool?.end();
    await db?.drop();
  });

  const notes = async (orderId: string) => (await pool.query<{ message_id: string }>('SELECT message_id FROM notes WHERE order_id = $1', [orderId])).rows;

  it('delivers a published event to a bound consumer, whose work commits with the message id recorded', async () => {
    const consumer = await consume('happy', async (orderId, id, tx) => {
      await tx.query('INSERT INTO notes VALUES ($1, $2)', [id, orderId]);
    });
    const envelope = createEnvelope('order.confirmed', { orderId: 'o-happy' });
    await publisher.publish({ envelope });
    const rows = await eventually('the note', async () => ((await notes('o-happy')).length ? notes('o-happy') : undefined), 5000, 25);
    assert.deepEqual(rows, [{ message_id: envelope.id }]);
    const processed = await pool.query('SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2', [consumer.queue, envelope.id]);
    assert.equal(processed.rowCount, 1);
    await eventually(
      'the acked metric',
      async () => ((await metricValue('messaging_consumed_total', { queue: consumer.queue, outcome: 'acked' })) === 1 ? true : undefined),
      2000,
      25,
    );
    assert.equal((await metricValue('messaging_published_total', { exchange, routing_key: 'order.confirmed', outcome: 'confirmed' })) >= 1, true);
    assert.match(
      await metrics.registry.metrics(),
      new RegExp(`messaging_handler_seconds_count\\{[^}]*queue="${consumer.queue.replaceAll('.', '\\.')}"[^}]*\\} 1`),
    );
  });

  it('publishes a batch pipelined and every message is confirmed and consumed', async () => {
    const seen = new Set<string>();
    await consume('batch', async (orderId) => {
      seen.add(orderId);
    });
    const batch = Array.from({ length: 50 }, (_, i) => ({ envelope: createEnvelope('order.confirmed', { orderId: `o-batch-${i}` }) }));
    const outcomes = await publisher.publishBatch(batch);
    assert.deepEqual(
      outcomes.map((o) => o.ok),
      batch.map(() => true),
    );
    await eventually('50 consumed', async () => (seen.size === 50 ? true : undefined), 5000, 25);
  });

  it('sends a poison message straight to the dead-letter queue, with the reason in a header and no retry', async () => {
    let calls = 0;
    const consumer = await consume('poison', async () => {
      calls += 1;
    });
    const raw = await amqp.connect(url);
    const channel = await raw.createConfirmChannel();
    channel.publish(exchange, 'order.confirmed', Buffer.from('{not json'), { messageId: 'poison-1', contentType: 'application/json' });
    const wrongPayload = createEnvelope('order.confirmed', { orderId: 42 });
    channel.publish(exchange, 'order.confirmed', Buffer.from(JSON.stringify(wrongPayload)), { messageId: wrongPayload.id, contentType: 'application/json' });
    await channel.waitForConfirms();
    await raw.close();

    const dlq = deadLetterQueueName(consumer.queue);
    await eventually('two messages in the DLQ', async () => ((await checkQueue(url, dlq))?.messageCount === 2 ? true : undefined), 5000, 25);
    const dead = await drainQueue(url, dlq);
    const reasons = Object.fromEntries(dead.map((m) => [m.properties.messageId, m.properties.headers?.['x-dead-letter-reason']]));
    assert.deepEqual(reasons, { 'poison-1': 'invalid-json', [wrongPayload.id]: 'invalid-payload' });
    assert.match(String(dead.find((m) => m.properties.messageId === wrongPayload.id)?.properties.headers?.['x-dead-letter-detail']), /orderId/);
    assert.ok(dead.every((m) => m.properties.headers?.['x-retry-count'] === undefined));
    assert.equal(calls, 0);
    assert.equal(await metricValue('messaging_consumed_total', { queue: consumer.queue, outcome: 'poison' }), 2);
    assert.equal(await metricValue('messaging_consumed_total', { queue: consumer.queue, outcome: 'retried' }), 0);
  });

  it('retries a failing handler after each delay of the schedule, then dead-letters it with nothing committed', async () => {
    const attempts: number[] = [];
    const consumer = await consume('failing', async (orderId, id, tx) => {
      attempts.push(performance.now());
      await tx.query('INSERT INTO notes VALUES ($1, $2)', [id, orderId]);
      throw new Error('boom: downstream unavailable');
    });
    const envelope = createEnvelope('order.confirmed', { orderId: 'o-failing' });
    await publisher.publish({ envelope });
    const dlq = deadLetterQueueName(consumer.queue);
    await eventually('the message in the DLQ', async () => ((await checkQueue(url, dlq))?.messageCount === 1 ? true : undefined), 5000, 25);
    assert.equal(attempts.length, 3, 'one delivery and two retries');
    const [first = 0, second = 0, third = 0] = attempts;
    assert.ok(second - first >= 90, `first retry after ${second - first} ms`);
    assert.ok(third - second >= 190, `second retry after ${third - second} ms`);
    const [dead] = await drainQueue(url, dlq);
    assert.equal(dead?.properties.messageId, envelope.id);
    assert.equal(dead?.properties.headers?.['x-dead-letter-reason'], 'retries-exhausted');
    assert.equal(dead?.properties.contentType, 'application/json');
    assert.equal(dead?.properties.deliveryMode, 2, 'persistent');
    assert.equal(dead?.properties.type, 'order.confirmed');
    assert.equal(dead?.properties.headers?.['x-retry-count'], 2);
    assert.match(String(dead?.properties.headers?.['x-last-error']), /boom/);
    assert.deepEqual(JSON.parse(String(dead?.content)), envelope);
    assert.deepEqual(await notes('o-failing'), [], 'every attempt rolled back');
    assert.equal(await metricValue('messaging_consumed_total', { queue: consumer.queue, outcome: 'retried' }), 2);
    assert.equal(await metricValue('messaging_consumed_total', { queue: consumer.queue, outcome: 'dead_lettered' }), 1);
  });

  it('a handler that fails once succeeds on its retry and its work is committed once', async () => {
    let calls = 0;
    await consume('flaky', async (orderId, id, tx) => {
      calls += 1;
      await tx.query('INSERT INTO notes VALUES ($1, $2)', [id, orderId]);
      if (calls === 1) throw new Error('transient');
    });
    const envelope = createEnvelope('order.confirmed', { orderId: 'o-flaky' });
    await publisher.publish({ envelope });
    await eventually('the note', async () => ((await notes('o-flaky')).length ? true : undefined), 5000, 25);
    assert.equal(calls, 2);
    assert.deepEqual(await notes('o-flaky'), [{ message_id: envelope.id }]);
  });

  it('processes a duplicate message id once and acks the copy without calling the handler', async () => {
    let calls = 0;
    const consumer = await consume('dedupe', async (orderId, id, tx) => {
      calls += 1;
      await tx.query('INSERT INTO notes VALUES ($1, $2)', [id, orderId]);
    });
    const envelope = createEnvelope('order.confirmed', { orderId: 'o-dup' });
    await publisher.publish({ envelope });
    await publisher.publish({ envelope });
    await eventually(
      'the duplicate',
      async () => ((await metricValue('messaging_consumed_total', { queue: consumer.queue, outcome: 'duplicate' })) === 1 ? true : undefined),
      5000,
      25,
    );
    assert.equal(calls, 1);
    assert.equal(await metricValue('messaging_consumed_total', { queue: consumer.queue, outcome: 'acked' }), 1);
    assert.deepEqual(await notes('o-dup'), [{ message_id: envelope.id }]);
  });

  it('when the broker kills its connection, the consumer reconnects and resumes consuming', async () => {
    const seen: string[] = [];
    const consumer = await consume(
      'recovery',
      async (orderId) => {
        seen.push(orderId);
      },
      recovering,
    );
    await publisher.publish({ envelope: createEnvelope('order.confirmed', { orderId: 'before' }) });
    await eventually('the first message', async () => (seen.includes('before') ? true : undefined), 5000, 25);
    const connectedBefore = lines.filter((l) => l.message === 'broker connected').length;
    assert.equal(await killConnections(recoveringName), 1);
    await eventually(
      'a reconnect',
      async () => (lines.filter((l) => l.message === 'broker connected').length > connectedBefore ? true : undefined),
      10_000,
      50,
    );
    assert.ok(lines.some((l) => l.message === 'broker connection lost'));
    await publisher.publish({ envelope: createEnvelope('order.confirmed', { orderId: 'after' }) });
    await eventually('the message sent after the kill', async () => (seen.includes('after') ? true : undefined), 10_000, 25);
    assert.deepEqual(seen, ['before', 'after']);
    assert.equal(consumer.active, true);
  });

  it('when its queue is deleted, the consumer re-declares its topology on a new channel and resumes', async () => {
    const seen: string[] = [];
    const consumer = await consume('redeclare', async (orderId) => {
      seen.push(orderId);
    });
    await deleteQueues([consumer.queue]);
    await eventually(
      'the queue re-declared and consumed again',
      async () => ((await checkQueue(url, consumer.queue))?.consumerCount === 1 ? true : undefined),
      10_000,
      25,
    );
    await publisher.publish({ envelope: createEnvelope('order.confirmed', { orderId: 'after-delete' }) });
    await eventually('the message', async () => (seen.includes('after-delete') ? true : undefined), 10_000, 25);
  });
});
