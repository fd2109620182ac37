import type { Express } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { type BaseConfig, loadConfigOrExit } from './config.js';
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
  /**
   * Background work (workers, sweeps, seeding): runs once the migrations ran and consumers and
   * the outbox started, before the service listens. Shutdown hooks it registers run before the
   * runtime closes the broker and database. A failure stops the service.
   */
  onStarted?: (kit: RuntimeKit) => Promise<void> | void;
  logger?: Logger;
}

type ConfigOf<S extends z.ZodRawShape> = BaseConfig & z.infer<z.ZodObject<S>>;

/** A service as a value: what `runMain` needs to load its config and start it. */
export interface ServiceDefinition<S extends z.ZodRawShape> {
  readonly name: string;
  readonly configShape: S;
  runtimeOptions(config: ConfigOf<S>): RuntimeOptions<ConfigOf<S> & RuntimeConfig>;
}

/**
 * What every `main.ts` does: load the config (exit 78 with the reason when it is wrong), start the
 * runtime, stop gracefully on SIGTERM/SIGINT; a failed start is reported on stderr, exit 1.
 */
export async function runMain<S extends z.ZodRawShape>(service: ServiceDefinition<S>): Promise<void> {
  const config = loadConfigOrExit(service.configShape);
  try {
    const running = await startRuntime(service.runtimeOptions(config));
    running.shutdown.installSignalHandlers();
    running.logger.info(`${service.name} service started`, { url: { full: running.url } });
  } catch (error) {
    process.stderr.write(`${service.name} service failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
}

/**
 * `build` run once per kit: what a service's routes, consumers and `onStarted` share (its deps, a
 * worker) is built by whichever asks first.
 */
export function perKit<T>(build: (kit: RuntimeKit) => T): (kit: RuntimeKit) => T {
  const built = new WeakMap<RuntimeKit, { value: T }>();
  return (kit) => {
    let entry = built.get(kit);
    if (!entry) {
      entry = { value: build(kit) };
      built.set(kit, entry);
    }
    return entry.value;
  };
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
 * checks and the shutdown sequence — in one call, so `main.ts` stays a few lines. Tests
 * call it in-process with PORT=0.
 */
export async function startRuntime<C extends RuntimeConfig>(options: RuntimeOptions<C>): Promise<RunningService> {
  const { config } = options;
  const service = createService({
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    routes: options.routes,
    extend: (base): RuntimeKit => {
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
      return { ...base, pool, broker, publisher, outbox };
    },
  });
  const { pool, broker, publisher, outbox, health, shutdown, logger } = service;

  health.addCheck('database', async () => pool.query('SELECT 1'));
  if (broker) health.addCheck('broker', async () => broker.connected || Promise.reject(new Error('not connected')));

  await runMigrations(pool as pg.Pool, { logger, migrations: platformMigrations(), ...(options.migrations ? { folder: options.migrations } : {}) });

  const consumers: Consumer[] = [];
  if (broker && options.consumers) {
    for (const [purpose, handlers] of Object.entries(options.consumers(service))) {
      consumers.push(
        createConsumer(broker, {
          service: config.SERVICE_NAME,
          purpose,
          handlers,
          pool: pool as pg.Pool,
          logger,
          registry: service.metrics.registry,
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
  announceKnockout(config.FAULTLINE_KNOCKOUT, service);
  // Consumers subscribe in the background: a broker that is down at boot must not block the HTTP side.
  for (const consumer of consumers)
    void consumer
      .start()
      .catch((error: unknown) => logger.error('consumer failed to start', { queue: consumer.queue, error: error instanceof Error ? error : undefined }));
  outbox?.start();

  let failure: { error: unknown } | undefined;
  try {
    await options.onStarted?.(service);
  } catch (error) {
    failure = { error };
  }
  // After onStarted: its hooks (a worker mid-run) run while the broker and database are still open.
  shutdown.onShutdown('consumers', () => Promise.all(consumers.map((c) => c.stop())));
  shutdown.onShutdown('outbox relay', () => outbox?.stop());
  shutdown.onShutdown('publisher', () => publisher?.close());
  shutdown.onShutdown('broker', () => broker?.close());
  shutdown.onShutdown('database', () => pool.end());
  if (failure) {
    await shutdown.run();
    throw failure.error;
  }

  const { port } = await service.listen();
  // The same object routes, consumers and onStarted got: what a service built per kit is found again from it.
  return Object.assign(service, { port, url: `http://${config.HOST}:${port}`, consumers, stop: () => shutdown.run() });
}
