import type { DbPool, Logger } from '@faultline/platform';
import type { HashingGate, RateLimit } from './auth/throttle.js';
import type { Tokens } from './auth/tokens.js';
import type { UserMetrics } from './metrics.js';

/** What the use cases work with. */
export interface UserDeps {
  pool: DbPool;
  tokens: Tokens;
  metrics: UserMetrics;
  logger: Logger;
  /** Bounds the password hashing (running and waiting). */
  hashing: HashingGate;
  limits: {
    loginsByAddress: RateLimit;
    loginFailuresByAccount: RateLimit;
    registrationsByAddress: RateLimit;
    registrationsByAccount: RateLimit;
  };
  /** Client credentials of the services: name → secret. */
  clients: Record<string, string>;
}
