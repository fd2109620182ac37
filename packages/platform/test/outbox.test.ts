import assert from 'node:assert/strict';
import { jaegerOtlpUrl, jaegerQueryUrl, rabbitmqUrl, toxiproxyUrl } from '@faultline/lab';
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import amqp from 'amqplib';
import type pg from 'pg';
import { type Proxy as ToxiProxy, Toxiproxy } from 'toxiproxy-node-client';
import { z } from 'zod';
import { eventually, lab, unique } from '../../lab/test/support.js';
import { platformMigrations, runMigrations } from '../src/data/migrations.js';
import { enqueueEvent } from '../src/data/outbox.js';
import { createOutboxRelay } from '../src/data/outbox-relay.js';
import { createPool } from '../src/data/pool.js';
import { withTransaction } from '../src/data/transaction.js';
import { type Broker, connectBroker } from '../src/messaging/connection.js';
import { type Consumer, createConsumer } from '../src/messaging/consumer.js';
import { createEnvelope } from '../src/messaging/envelope.js';
import { defineHandler } from '../src/messaging/handlers.js';
import { createPublisher } from '../src/messaging/publisher.js';
import { deadLetterQueueName, retryQueueName } from '../src/messaging/topology.js';
import { createMetrics } from '../src/metrics.js';
import { captureLogger, createTestDatabase } from './data-support.js';
import { deleteExchange, deleteQueues } from './messaging-support.js';

const url = rabbitmqUrl(lab());
const item = z.object({ n: z.number().int() });

describe('transactional outbox and relay', () => {
  const exchange = `test.outbox.${unique()}`;
  const { logger } = captureLogger('outbox-test');
  const queues: string[] = [];
  const brokers: Broker[] = [];
  const consumers: Consumer[] = [];
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let direct: Broker;

  const newBroker = (brokerUrl: string) => {
    const broker = connectBroker(brokerUrl, { logger, name: `test-outbox-${unique()}`, initialDelayMs: 50, maxDelayMs: 300 });
    brokers.push(broker);
    return broker;
  };

  /** A consumer of `routingKey` on the direct connection; returns how often each event id was handled. */
  async function consume(routingKey: string, service = 'outbox-test') {
    const handled = new Map<string, number>();
    const consumer = createConsumer(direct, {
      service,
      purpose: `${routingKey}-${unique()}`,
      exchange,
      pool,
      logger,
      retryDelaysMs: [100],
      handlers: {
        [routingKey]: defineHandler(item, async (message) => {
          handled.set(message.id, (handled.get(message.id) ?? 0) + 1);
        }),
      },
    });
    consumers.push(consumer);
    queues.push(consumer.queue, deadLetterQueueName(consumer.queue), retryQueueName(consumer.queue, 100));
    await consumer.start();
    return handled;
  }

  const enqueueInOwnTransaction = (routingKey: string, n: number) =>
    withTransaction(pool, async (tx) => {
      const envelope = createEnvelope(routingKey, { n });
      await enqueueEvent(tx, envelope);
      return envelope.id;
    });

  const pending = async () => (await pool.query<{ count: number }>('SELECT count(*)::int AS count FROM outbox WHERE sent_at IS NULL')).rows[0]?.count;

  before(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { logger, max: 10 });
    await runMigrations(pool, { logger, migrations: platformMigrations() });
    direct = newBroker(url);
    await direct.waitForConnect();
  });

  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.stop();
  });

  after(async () => {
    for (const broker of brokers) await broker.close();
    await deleteQueues(queues);
    await deleteExchange(exchange);
    await pool?.end();
    await db?.drop();
  });

  it('keeps events written while RabbitMQ is unreachable pending, and delivers each exactly once when it is back', async () => {
    const handled = await consume('order.placed');
    const toxiproxy = new Toxiproxy(toxiproxyUrl(lab()));
    let proxy: ToxiProxy = await toxiproxy.createProxy({
      name: `test_rabbit_${unique()}`,
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${lab().ports['rabbitmq-amqp']}`,
    });
    const metrics = createMetrics('outbox-test');
    const publisher = createPublisher(newBroker(`amqp://guest:guest@${proxy.listen}`), { logger, exchange, registry: metrics.registry });
    const relay = createOutboxRelay({ pool, publisher, logger, registry: metrics.registry, pollIntervalMs: 200 });
    const gauge = async (name: string) => Number((await metrics.registry.metrics()).match(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm'))?.[1]);
    try {
      await publisher.waitUntilReady();
      relay.start();
      const warmUp = await enqueueInOwnTransaction('order.placed', 0);
      await eventually('the warm-up event', async () => (handled.get(warmUp) ? true : undefined), 5000, 25);

      proxy = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      await eventually('the publisher to notice', async () => (publisher.ready ? undefined : true), 5000, 25);
      const ids: string[] = [];
      for (let n = 1; n <= 20; n += 1) ids.push(await enqueueInOwnTransaction('order.placed', n));
      const rolledBack = createEnvelope('order.placed', { n: -1 });
      await assert.rejects(
        withTransaction(pool, async (tx) => {
          await enqueueEvent(tx, rolledBack);
          throw new Error('the order failed after all');
        }),
      );

      await eventually('the pending gauge', async () => ((await gauge('outbox_pending_events')) === 20 ? true : undefined), 5000, 50);
      assert.equal(await pending(), 20, 'all events still pending while the broker is unreachable');
      assert.ok((await gauge('outbox_oldest_pending_seconds')) > 0);
      assert.equal(handled.size, 1, 'nothing but the warm-up arrived');

      proxy = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
      await eventually('every event delivered', async () => (ids.every((id) => handled.has(id)) ? true : undefined), 10_000, 25);
      assert.equal(await pending(), 0);
      // Give a stray duplicate the chance to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(
        ids.map((id) => handled.get(id)),
        ids.map(() => 1),
      );
      assert.equal(handled.has(rolledBack.id), false, 'an event of a rolled-back transaction is never published');
      assert.equal((await pool.query('SELECT 1 FROM outbox WHERE id = $1', [rolledBack.id])).rowCount, 0);
      await eventually('the gauge back to 0', async () => ((await gauge('outbox_pending_events')) === 0 ? true : undefined), 5000, 50);
      assert.match(await metrics.registry.metrics(), /^outbox_relayed_total\{[^}]*outcome="confirmed"[^}]*\} 21$/m);
    } finally {
      await relay.stop();
      await publisher.close();
      await proxy.remove();
    }
  });

  for (const pipelined of [true, false]) {
    it(`relays a backlog ${pipelined ? 'in pipelined batches' : 'one confirm at a time'}, marking every event sent`, async function () {
      const routingKey = pipelined ? 'stock.reserved' : 'stock.released';
      const connection = await amqp.connect(url);
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.bindQueue(queue, exchange, routingKey);
      const count = 1000;
      await withTransaction(pool, async (tx) => {
        for (let n = 0; n < count; n += 1) await enqueueEvent(tx, createEnvelope(routingKey, { n }));
      });
      const publisher = createPublisher(direct, { logger, exchange });
      await publisher.waitUntilReady();
      const relay = createOutboxRelay({ pool, publisher, logger, pipelined, batchSize: 100 });
      try {
        const started = performance.now();
        assert.equal(await relay.drain(), count);
        const seconds = (performance.now() - started) / 1000;
        // A figure to read in the report, not a timed assertion (benchmarks compare ratios).
        if (this.test) this.test.title += ` (${Math.round(count / seconds)} events/s)`;
        assert.equal(await pending(), 0);
        await eventually('all in the queue', async () => ((await channel.checkQueue(queue)).messageCount === count ? true : undefined), 5000, 50);
      } finally {
        await publisher.close();
        await connection.close();
      }
    });
  }

  describe('tracing', () => {
    const service = `outbox-trace-${unique()}`;
    let provider: NodeTracerProvider;

    before(() => {
      provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: jaegerOtlpUrl(lab()) }))],
      });
      provider.register();
    });

    after(async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    });

    it('makes one trace from the request that wrote the event, through the relay publish, to the consumer', async () => {
      const handled = await consume('payment.authorized', 'tracing');
      const publisher = createPublisher(direct, { logger, exchange });
      const relay = createOutboxRelay({ pool, publisher, logger, pollIntervalMs: 200 });
      relay.start();
      try {
        const tracer = trace.getTracer('outbox-test');
        const { traceId, requestSpanId, eventId } = await tracer.startActiveSpan('POST /payments', async (span) => {
          const id = await enqueueInOwnTransaction('payment.authorized', 1);
          span.end();
          return { traceId: span.spanContext().traceId, requestSpanId: span.spanContext().spanId, eventId: id };
        });
        await eventually('the event handled', async () => (handled.has(eventId) ? true : undefined), 5000, 25);
        await provider.forceFlush();

        type Span = { spanID: string; operationName: string; references: { refType: string; spanID: string }[]; tags: { key: string; value: unknown }[] };
        const spans = await eventually(
          'three spans in Jaeger',
          async () => {
            const response = await fetch(`${jaegerQueryUrl(lab())}/api/traces/${traceId}`);
            if (!response.ok) return undefined;
            const found = ((await response.json()) as { data: { spans: Span[] }[] }).data[0]?.spans ?? [];
            return found.length >= 3 ? found : undefined;
          },
          15_000,
          200,
        );
        const byName = (name: string) => spans.find((s) => s.operationName === name);
        const publish = byName('payment.authorized publish');
        const processing = spans.find((s) => s.operationName.endsWith(' process'));
        assert.ok(publish, `a publish span among ${spans.map((s) => s.operationName)}`);
        assert.ok(processing, 'a process span');
        assert.equal(publish.references[0]?.spanID, requestSpanId, 'publish is a child of the request');
        assert.equal(processing.references[0]?.spanID, publish.spanID, 'process is a child of publish');
        const tags = Object.fromEntries(processing.tags.map((t) => [t.key, t.value]));
        assert.equal(tags['span.kind'], 'consumer');
        assert.equal(tags['messaging.system'], 'rabbitmq');
        assert.equal(tags['messaging.message.id'], eventId);
        assert.match(String(tags['messaging.destination.name']), /^tracing\.payment\.authorized-/);
        assert.equal(Object.fromEntries(publish.tags.map((t) => [t.key, t.value]))['span.kind'], 'producer');
      } finally {
        await relay.stop();
        await publisher.close();
      }
    });
  });
});
