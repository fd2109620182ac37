import {
  Api,
  authFromConfig,
  knockedOut,
  outboxAdminRoutes,
  packageFolder,
  perKit,
  type RuntimeKit,
  type RuntimeOptions,
  type ServiceDefinition,
} from '@faultline/platform';
import { configShape, type OrderConfig } from './config.js';
import { createDependencies } from './dependencies.js';
import { PAYMENTS_PURPOSE, refundReaction } from './messaging/refund-reaction.js';
import { createOrderMetrics } from './metrics.js';
import { adminRoutes } from './routes/admin.js';
import { cartRoutes } from './routes/cart.js';
import { orderRoutes } from './routes/orders.js';
import { createSagaRunner } from './saga/runner.js';
import { createSagaSteps } from './saga/steps.js';
import { createSagaWorker, type SagaWorker } from './saga/worker.js';

export interface OrderRuntimeOptions extends RuntimeOptions<OrderConfig> {
  /** The saga worker of a started service (tests stop it or watch its runs). */
  sagaWorker(kit: RuntimeKit): SagaWorker;
}

/** What order consumes: payment's refunds, so a refund made at payment reaches the order. */
export const orderConsumers = (kit: RuntimeKit) => ({ [PAYMENTS_PURPOSE]: { 'payment.refunded': refundReaction(kit.logger) } });

/** The order service for `startRuntime`: cart, checkout saga, event-sourced orders and their read model. */
export function runtimeOptions(config: OrderConfig, overrides: Partial<RuntimeOptions<OrderConfig>> = {}): OrderRuntimeOptions {
  // The saga worker is built with the routes (checkout runs its first saga) and started once migrated.
  const sagas = perKit((kit) => {
    const { pool, logger } = kit;
    const metrics = createOrderMetrics(kit.metrics.registry, pool);
    const policy = {
      retryBaseMs: config.SAGA_RETRY_BASE_MS,
      retryMaxMs: config.SAGA_RETRY_MAX_MS,
      timeoutMs: config.SAGA_TIMEOUT_MS,
      compensate: !knockedOut(config.FAULTLINE_KNOCKOUT, 'compensation', 'saga'),
    };
    const steps = createSagaSteps(createDependencies(config, kit));
    const runner = createSagaRunner({ pool, logger, steps, policy, metrics, leaseMs: config.SAGA_LEASE_MS });
    const worker = createSagaWorker({
      pool,
      logger,
      runner,
      pollMs: config.SAGA_POLL_MS,
      batchSize: config.SAGA_BATCH_SIZE,
      leaseMs: config.SAGA_LEASE_MS,
      failureDelayMs: config.SAGA_RETRY_MAX_MS,
    });
    return { metrics, worker };
  });
  return {
    config,
    migrations: packageFolder(import.meta.url, 'migrations'),
    outbox: true,
    consumers: orderConsumers,
    routes: (app, kit) => {
      const { pool, logger } = kit;
      const { metrics, worker } = sagas(kit);

      const auth = authFromConfig(config, logger);
      const api = new Api(app, { title: 'order', version: config.SERVICE_VERSION, description: 'Cart, checkout saga and event-sourced orders' }, auth);
      const checkout = {
        pool,
        worker,
        metrics,
        syncBudgetMs: config.CHECKOUT_SYNC_BUDGET_MS,
        leaseMs: config.SAGA_LEASE_MS,
        // The domain's fallback for an unavailable payment: accept the order as pending (202) and finish it later.
        acceptPendingWhenPaymentFails: !knockedOut(config.FAULTLINE_KNOCKOUT, 'fallback', 'payment'),
      };
      cartRoutes(api, { pool });
      orderRoutes(api, { pool, checkout });
      adminRoutes(api, { pool });
      outboxAdminRoutes(api, pool);
    },
    onStarted: (kit) => {
      const { worker } = sagas(kit);
      worker.start();
      // Before the runtime's own hooks: runs are interrupted and their sagas given back while the database is open.
      kit.shutdown.onShutdown('saga worker', () => worker.stop());
    },
    sagaWorker: (kit) => sagas(kit).worker,
    ...overrides,
  };
}

export const service: ServiceDefinition<typeof configShape> = { name: 'order', configShape, runtimeOptions };
