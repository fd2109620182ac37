import { Api, authFromConfig, outboxAdminRoutes, packageFolder, type RuntimeOptions, type ServiceDefinition } from '@faultline/platform';
import { configShape, type PaymentConfig } from './config.js';
import type { PaymentDeps } from './deps.js';
import { paymentMetrics } from './metrics.js';
import { createProvidersClient } from './providers-client.js';
import { historyRoutes } from './routes/history.js';
import { ledgerRoutes } from './routes/ledger.js';
import { paymentRoutes } from './routes/payments.js';

/** The payment service: charges through the card processor, refunds, history and a double-entry ledger. */
export function runtimeOptions(config: PaymentConfig, overrides: Partial<RuntimeOptions<PaymentConfig>> = {}): RuntimeOptions<PaymentConfig> {
  return {
    config,
    migrations: packageFolder(import.meta.url, 'migrations'),
    outbox: true,
    routes: (app, kit) => {
      const deps: PaymentDeps = {
        pool: kit.pool,
        logger: kit.logger,
        metrics: paymentMetrics(kit.metrics.registry),
        providers: createProvidersClient(config, kit),
      };
      const auth = authFromConfig(config, kit.logger);
      const api = new Api(
        app,
        {
          title: 'payment',
          version: config.SERVICE_VERSION,
          description: 'Charges, refunds, transaction history and a ledger that always balances.',
        },
        auth,
      );
      historyRoutes(api, deps);
      paymentRoutes(api, deps);
      ledgerRoutes(api, deps.pool);
      outboxAdminRoutes(api, deps.pool);
    },
    ...overrides,
  };
}

export const service: ServiceDefinition<typeof configShape> = { name: 'payment', configShape, runtimeOptions };
