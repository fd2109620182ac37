import type { DbPool, Logger } from '@faultline/platform';
import type { PaymentMetrics } from './metrics.js';
import type { ProvidersClient } from './providers-client.js';

/** What the use cases need: the database, the card processor, the business counters and the logger. */
export interface PaymentDeps {
  readonly pool: DbPool;
  readonly providers: ProvidersClient;
  readonly metrics: PaymentMetrics;
  readonly logger: Logger;
}
