import { Api, authFromConfig, packageFolder, perKit, type RuntimeOptions, type ServiceDefinition } from '@faultline/platform';
import { configShape, type ProductConfig } from './config.js';
import type { ProductDeps } from './deps.js';
import { startInventorySweep } from './inventory-sweep.js';
import { inventoryMetrics } from './metrics.js';
import { inventoryRoutes } from './routes/inventory.js';
import { productRoutes } from './routes/products.js';
import { reservationRoutes } from './routes/reservations.js';

/** Everything `startRuntime` needs to run the product service: catalog, reservations, audit. */
export function runtimeOptions(config: ProductConfig, overrides: Partial<RuntimeOptions<ProductConfig>> = {}): RuntimeOptions<ProductConfig> {
  const depsOf = perKit((kit): ProductDeps => ({ config, pool: kit.pool, logger: kit.logger, inventory: inventoryMetrics(kit.metrics.registry) }));
  return {
    config,
    // 001 catalog, 002 reservations, 003 the demo catalog (12 products with fixed ids).
    migrations: packageFolder(import.meta.url, 'migrations'),
    routes: (app, kit) => {
      const ctx = depsOf(kit);
      const auth = authFromConfig(config, kit.logger);
      const api = new Api(app, { title: 'product', version: config.SERVICE_VERSION, description: 'Catalog and inventory reservations' }, auth);
      productRoutes(api, ctx);
      reservationRoutes(api, ctx);
      inventoryRoutes(api, ctx);
    },
    // The sweep reads the reservations table: it starts once the migrations made it.
    onStarted: (kit) => {
      const sweep = startInventorySweep(depsOf(kit));
      kit.shutdown.onShutdown('inventory sweep', () => sweep.stop());
    },
    ...overrides,
  };
}

export const service: ServiceDefinition<typeof configShape> = { name: 'product', configShape, runtimeOptions };
