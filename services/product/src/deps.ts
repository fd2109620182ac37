import type { DbPool, Logger } from '@faultline/platform';
import type { ProductConfig } from './config.js';
import type { InventoryMetrics } from './metrics.js';

/** What the use cases work with. */
export interface ProductDeps {
  readonly config: ProductConfig;
  readonly pool: DbPool;
  readonly logger: Logger;
  readonly inventory: InventoryMetrics;
}
