import { authFromConfig, packageFolder, perKit, type RuntimeOptions, type ServiceDefinition } from '@faultline/platform';
import { configShape, type NotificationConfig } from './config.js';
import type { Deps } from './deps.js';
import { createMessageProvider } from './message-provider.js';
import { deadLetters } from './messaging/dead-letters.js';
import { EVENTS_PURPOSE, eventHandlers } from './messaging/event-handlers.js';
import { deadLetterGauge, notificationMetrics } from './metrics.js';
import { notificationRoutes } from './routes/notifications.js';

/** Everything `startRuntime` needs to run the notification service; tests override what they must. */
export function runtimeOptions(config: NotificationConfig, overrides: Partial<RuntimeOptions<NotificationConfig>> = {}): RuntimeOptions<NotificationConfig> {
  // Routes and consumers get the same kit; the dependencies are built once, by whichever asks first.
  const depsOf = perKit((kit): Deps => {
    const dlq = deadLetters(kit.broker, config.SERVICE_NAME, EVENTS_PURPOSE);
    deadLetterGauge(kit.metrics.registry, dlq.depth);
    return {
      pool: kit.pool,
      provider: createMessageProvider(config, kit),
      metrics: notificationMetrics(kit.metrics.registry),
      logger: kit.logger,
      deadLetters: dlq,
    };
  });

  return {
    config,
    migrations: packageFolder(import.meta.url, 'migrations'),
    retryDelaysMs: config.NOTIFY_RETRY_DELAYS_MS,
    prefetch: config.NOTIFY_PREFETCH,
    consumers: (kit) => ({ [EVENTS_PURPOSE]: eventHandlers(depsOf(kit)) }),
    routes: (app, kit) => notificationRoutes(app, depsOf(kit), authFromConfig(config, kit.logger)),
    ...overrides,
  };
}

export const service: ServiceDefinition<typeof configShape> = { name: 'notification', configShape, runtimeOptions };
