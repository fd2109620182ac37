import { Api, authFromConfig, knockedOut, packageFolder, type RuntimeKit, type RuntimeOptions } from '@faultline/platform';
import type { OrderConfig } from './config.js';
import { createDependencies } from './dependencies.js';
import { PAYMENTS_PURPOSE, refundReaction } from './messaging/refund-reaction.js';
import { createOrderMetrics } from './metrics.js';
import { adminRoutes } from './routes/admin-routes.js';
import { cartRoutes } from './routes/cart-routes.js';
import { orderRoutes } from './routes/order-routes.js';
import { createSagaRunner } from './saga/runner.js';
import { createSagaSteps } from './saga/steps.js';
import { createSagaWorker, type SagaWorker } from './saga/worker.js';

export interface OrderRuntimeOptions extends RuntimeOptions<OrderConfig> {
  /** Start polling due sagas: call it once `startRuntime` has migrated the database. */
  startSagaWorker(): SagaWorker;
}

/** What order consumes: payment's refunds, so a refund made at payment reaches the order. */
export const orderConsumers = (kit: RuntimeKit) => ({ [PAYMENTS_PURPOSE]: { 'payment.refunded': refundReaction(kit.logger) } });

/** The order service for `startRuntime`: cart, checkout saga, event-sourced orders and their read model. */
export function runtimeOptions(config: OrderConfig, overrides: Partial<RuntimeOptions<OrderConfig>> = {}): OrderRuntimeOptions {
  let worker: SagaWorker | undefined;
  return {
    config,
    migrations: packageFolder(import.meta.url, 'migrations'),
    outbox: true,
    consumers: orderConsumers,
    routes: (app, kit) => {
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
      const sagas = createSagaWorker({
        pool,
        logger,
        runner,
        pollMs: config.SAGA_POLL_MS,
        batchSize: config.SAGA_BATCH_SIZE,
        leaseMs: config.SAGA_LEASE_MS,
        failureDelayMs: config.SAGA_RETRY_MAX_MS,
      });
      worker = sagas;
      // Registered before the runtime's own hooks: runs are interrupted and their sagas given back while the database is open.
      kit.shutdown.onShutdown('saga worker', () => sagas.stop());

      const auth = authFromConfig(config, logger);
      const api = new Api(app, { title: 'order', version: config.SERVICE_VERSION, description: 'Cart, checkout saga and event-sourced orders' }, auth);
      const checkout = {
        pool,
        worker: sagas,
        metrics,
        syncBudgetMs: config.CHECKOUT_SYNC_BUDGET_MS,
        leaseMs: config.SAGA_LEASE_MS,
        // The domain's fallback for an unavailable payment: accept the order as pending (202) and finish it later.
        acceptPendingWhenPaymentFails: !knockedOut(config.FAULTLINE_KNOCKOUT, 'fallback', 'payment'),
      };
      cartRoutes(api, { pool });
      orderRoutes(api, { pool, checkout });
      adminRoutes(api, { pool });
    },
    ...overrides,
    startSagaWorker() {
      if (!worker) throw new Error('start the runtime before the saga worker');
      worker.start();
      return worker;
    },
  };
}
