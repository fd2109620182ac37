import type { DbPool, Logger } from '@faultline/platform';
import type { MessageProvider } from './message-provider.js';
import type { DeadLetters } from './messaging/dead-letters.js';
import type { NotificationMetrics } from './metrics.js';

/** What the use cases work with, built once per service. */
export interface Deps {
  pool: DbPool;
  provider: MessageProvider;
  metrics: NotificationMetrics;
  logger: Logger;
  deadLetters: DeadLetters;
}
