import { Api, authFromConfig, type Logger, packageFolder, type RuntimeOptions } from '@faultline/platform';
import type { ProductConfig } from './config.js';
import type { ProductContext } from './context.js';
import { startInventorySweep } from './inventory-sweep.js';
import { inventoryMetrics } from './metrics.js';
import { inventoryRoutes } from './routes/inventory.js';
import { productRoutes } from './routes/products.js';
import { reservationRoutes } from './routes/reservations.js';

/** Everything `startRuntime` needs to run the product service: catalog, reservations, audit. */
export function productRuntime(config: ProductConfig, overrides: { logger?: Logger } = {}): RuntimeOptions<ProductConfig> {
  return {
    config,
    ...overrides,
    // 001 catalog, 002 reservations, 003 the demo catalog (12 products with fixed ids).
    migrations: packageFolder(import.meta.url, 'migrations'),
    routes: (app, kit) => {
      const ctx: ProductContext = { config, pool: kit.pool, logger: kit.logger, inventory: inventoryMetrics(kit.metrics.registry) };
      const auth = authFromConfig(config, kit.logger);
      const api = new Api(app, { title: 'product', version: config.SERVICE_VERSION, description: 'Catalog and inventory reservations' }, auth);
      productRoutes(api, ctx);
      reservationRoutes(api, ctx);
      inventoryRoutes(api, ctx);
      const sweep = startInventorySweep(ctx);
      kit.shutdown.onShutdown('inventory sweep', () => sweep.stop());
    },
  };
}
