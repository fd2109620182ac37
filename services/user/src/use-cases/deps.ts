import type { DbPool, Logger } from '@faultline/platform';
import type { Tokens } from '../auth/tokens.js';
import type { UserMetrics } from '../metrics.js';

/** What the use cases work with. */
export interface UserDeps {
  pool: DbPool;
  tokens: Tokens;
  metrics: UserMetrics;
  logger: Logger;
}
