import { rabbitmqUrl } from '@faultline/lab';
import { createTestDatabase, lab, unique } from '@faultline/lab/testing';
import amqp, { type ConfirmChannel } from 'amqplib';
import {
  connectBroker,
  createEnvelope,
  createLogger,
  createOutboxRelay,
  createPool,
  createPublisher,
  enqueueEvent,
  platformMigrations,
  runMigrations,
  withTransaction,
} from '../src/index.js';

export interface OutboxThroughput {
  events: number;
  pipelinedPerSec: number;
  oneByOnePerSec: number;
  /** The ceiling: amqplib alone on the same broker and exchange (no database, no spans), the same two ways. */
  barePipelinedPerSec: number;
  bareOneByOnePerSec: number;
}

/** Messages/s of `count` bare publishes on a confirm channel: all then one wait for confirms, or each awaited. */
async function barePublishRate(channel: ConfirmChannel, exchange: string, count: number, pipelined: boolean): Promise<number> {
  const envelope = createEnvelope('bench.happened', { i: 0 });
  const content = Buffer.from(JSON.stringify(envelope));
  const options = { messageId: envelope.id, type: envelope.type, contentType: 'application/json', persistent: true, headers: {} };
  const started = process.hrtime.bigint();
  if (pipelined) {
    for (let i = 0; i < count; i += 1) channel.publish(exchange, envelope.type, content, options);
    await channel.waitForConfirms();
  } else {
    for (let i = 0; i < count; i += 1)
      await new Promise<void>((resolve, reject) => channel.publish(exchange, envelope.type, content, options, (error) => (error ? reject(error) : resolve())));
  }
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * Outbox relay throughput into the real RabbitMQ with publisher confirms: pipelined batches
 * against one publish-and-confirm at a time, alternating, on the same database and exchange.
 * Both claim and mark their events a batch at a time (one SELECT, one UPDATE): what differs is
 * only how confirms are awaited, and that pipelined batches overlap.
 */
export async function outboxThroughput(options: { events: number; rounds: number; onProgress: (line: string) => void }): Promise<OutboxThroughput> {
  const logger = createLogger({ service: 'bench', silent: true });
  const database = await createTestDatabase();
  const exchange = `bench.outbox.${unique()}`;
  const pool = createPool(database.url, { logger, max: 4 });
  const broker = connectBroker(rabbitmqUrl(lab()), { logger, name: `bench-${unique()}` });
  const publisher = createPublisher(broker, { logger, exchange });
  // A queue bound to the exchange, so every message is routed and stored like in the lab.
  const amqpConnection = await amqp.connect(rabbitmqUrl(lab()));
  const channel = await amqpConnection.createChannel();
  const bareChannel = await amqpConnection.createConfirmChannel();
  try {
    await runMigrations(pool, { logger, migrations: platformMigrations() });
    await publisher.waitUntilReady();
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '#');
    const rates = { pipelined: 0, oneByOne: 0, barePipelined: 0, bareOneByOne: 0 };
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const pipelined of round % 2 ? [true, false] : [false, true]) {
        options.onProgress(`round ${round}/${options.rounds}: ${options.events} events, ${pipelined ? 'pipelined' : 'one by one'}`);
        await withTransaction(pool, async (tx) => {
          for (let i = 0; i < options.events; i += 1) await enqueueEvent(tx, createEnvelope('bench.happened', { i }));
        });
        // The relay's own batch size and lanes, as a service runs it; pipelined: false is one publish and confirm at a time.
        const relay = createOutboxRelay({ pool, publisher, logger, pipelined });
        const started = process.hrtime.bigint();
        const relayed = await relay.drain();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        await relay.stop();
        if (relayed !== options.events) throw new Error(`relayed ${relayed} of ${options.events} events`);
        rates[pipelined ? 'pipelined' : 'oneByOne'] += relayed / seconds;
        await channel.purgeQueue(queue);
        options.onProgress(`round ${round}/${options.rounds}: ${options.events} bare publishes, ${pipelined ? 'pipelined' : 'one by one'}`);
        rates[pipelined ? 'barePipelined' : 'bareOneByOne'] += await barePublishRate(bareChannel, exchange, options.events, pipelined);
        await channel.purgeQueue(queue);
      }
    }
    const mean = (total: number) => total / options.rounds;
    return {
      events: options.events,
      pipelinedPerSec: mean(rates.pipelined),
      oneByOnePerSec: mean(rates.oneByOne),
      barePipelinedPerSec: mean(rates.barePipelined),
      bareOneByOnePerSec: mean(rates.bareOneByOne),
    };
  } finally {
    await channel.deleteExchange(exchange).catch(() => undefined);
    await amqpConnection.close();
    await publisher.close();
    await broker.close();
    await pool.end();
    await database.drop();
  }
}
