import type { Express } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import type { BaseConfig } from './config.js';
import { platformMigrations, runMigrations } from './data/migrations.js';
import { createOutboxRelay, type OutboxRelay } from './data/outbox-relay.js';
import { createPool, type DbPool } from './data/pool.js';
import { announceKnockout } from './knockout.js';
import type { Logger } from './logging.js';
import { type Broker, connectBroker } from './messaging/connection.js';
import { type Consumer, createConsumer } from './messaging/consumer.js';
import type { MessageHandler } from './messaging/handlers.js';
import { createPublisher, type Publisher } from './messaging/publisher.js';
import { DEFAULT_EXCHANGE } from './messaging/topology.js';
import { createService, type Service, type ServiceKit } from './service.js';

/** Settings of a service with a database and a broker; add them to the service's config shape. */
export const runtimeConfigShape = {
  DATABASE_URL: z.string().startsWith('postgres'),
  AMQP_URL: z.string().startsWith('amqp').optional(),
  EVENTS_EXCHANGE: z.string().default(DEFAULT_EXCHANGE),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
};
export type RuntimeConfig = BaseConfig & z.infer<z.ZodObject<typeof runtimeConfigShape>>;

/** What a service's routes and use cases get: the kit plus its database and publisher. */
export interface RuntimeKit extends ServiceKit {
  readonly pool: DbPool;
  /** Present when AMQP_URL is set. */
  readonly broker: Broker | undefined;
  readonly publisher: Publisher | undefined;
  readonly outbox: OutboxRelay | undefined;
}

export interface RuntimeOptions<C extends RuntimeConfig> {
  config: C;
  /** Folder of the service's own `NNN_name.sql` migrations (applied after the platform's). */
  migrations?: URL;
  /** Relay the transactional outbox to the broker (for services that publish events). */
  outbox?: boolean;
  /** Message consumers: `purpose` → handlers by routing key. */
  consumers?: (kit: RuntimeKit) => Record<string, Record<string, MessageHandler<unknown>>>;
  /** Consumer retry schedule (tests use short delays). */
  retryDelaysMs?: readonly number[];
  /** Messages each consumer has in flight at once (default 10): keep the pool larger. */
  prefetch?: number;
  routes: (app: Express, kit: RuntimeKit) => void;
  logger?: Logger;
}

export interface RunningService extends RuntimeKit {
  readonly app: Service['app'];
  readonly port: number;
  readonly url: string;
  readonly consumers: Consumer[];
  /** Graceful stop: drain requests, stop consumers and relay, close broker and database. */
  stop(): Promise<void>;
}

/**
 * Start a whole service: database (migrated), broker, outbox relay, consumers, HTTP app, health
 * checks and the shutdown sequence — in one call, so `main.ts` stays about twenty lines. Tests
 * call it in-process with PORT=0.
 */
export async function startRuntime<C extends RuntimeConfig>(options: RuntimeOptions<C>): Promise<RunningService> {
  const { config } = options;
  let kit: RuntimeKit | undefined;
  const service = createService({
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    routes: (app) => options.routes(app, kit as RuntimeKit),
    beforeRoutes: (base) => {
      const pool = createPool(config.DATABASE_URL, { logger: base.logger, max: config.DATABASE_POOL_MAX, applicationName: config.SERVICE_NAME });
      const broker = config.AMQP_URL ? connectBroker(config.AMQP_URL, { logger: base.logger, name: config.SERVICE_NAME }) : undefined;
      const publisher = broker
        ? createPublisher(broker, { logger: base.logger, exchange: config.EVENTS_EXCHANGE, registry: base.metrics.registry })
        : undefined;
      const outbox =
        options.outbox && publisher
          ? createOutboxRelay({
              pool,
              publisher,
              logger: base.logger,
              registry: base.metrics.registry,
              pollIntervalMs: config.OUTBOX_POLL_MS,
              knockout: config.FAULTLINE_KNOCKOUT,
            })
          : undefined;
      kit = { ...base, pool, broker, publisher, outbox };
    },
  });
  const ready = kit as unknown as RuntimeKit;
  const { pool, broker, publisher, outbox, health, shutdown, logger } = ready;

  health.addCheck('database', async () => pool.query('SELECT 1'));
  if (broker) health.addCheck('broker', async () => broker.connected || Promise.reject(new Error('not connected')));

  await runMigrations(pool as pg.Pool, { logger, migrations: platformMigrations(), ...(options.migrations ? { folder: options.migrations } : {}) });

  const consumers: Consumer[] = [];
  if (broker && options.consumers) {
    for (const [purpose, handlers] of Object.entries(options.consumers(ready))) {
      consumers.push(
        createConsumer(broker, {
          service: config.SERVICE_NAME,
          purpose,
          handlers,
          pool: pool as pg.Pool,
          logger,
          registry: ready.metrics.registry,
          exchange: config.EVENTS_EXCHANGE,
          ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
          ...(options.prefetch ? { prefetch: options.prefetch } : {}),
          knockout: config.FAULTLINE_KNOCKOUT,
        }),
      );
    }
  }
  // Every part that owns a mechanism has asked by now: a knock-out nobody took is a typo, not a proof.
  config.FAULTLINE_KNOCKOUT?.assertClaimed();
  announceKnockout(config.FAULTLINE_KNOCKOUT, ready);
  // Consumers subscribe in the background: a broker that is down at boot must not block the HTTP side.
  for (const consumer of consumers)
    void consumer
      .start()
      .catch((error: unknown) => logger.error('consumer failed to start', { queue: consumer.queue, error: error instanceof Error ? error : undefined }));
  outbox?.start();

  shutdown.onShutdown('consumers', () => Promise.all(consumers.map((c) => c.stop())));
  shutdown.onShutdown('outbox relay', () => outbox?.stop());
  shutdown.onShutdown('publisher', () => publisher?.close());
  shutdown.onShutdown('broker', () => broker?.close());
  shutdown.onShutdown('database', () => pool.end());

  const { port } = await service.listen();
  return { ...ready, app: service.app, port, url: `http://${config.HOST}:${port}`, consumers, stop: () => shutdown.run() };
}
