import { rabbitmqUrl } from '@faultline/lab';
import { createTestDatabase, eventually, lab, startTokenIssuer, unique } from '@faultline/lab/testing';
import { connectBroker, createEnvelope, createPublisher, type Envelope, loadConfig, type RunningService, startRuntime } from '@faultline/platform';
import { captureLogger } from '../../../../packages/platform/test/data-support.js';
import { checkQueue, deleteExchange, deleteQueues, drainQueue } from '../../../../packages/platform/test/messaging-support.js';
import { runtimeOptions } from '../../src/app.js';
import { configShape } from '../../src/config.js';
import { startProviderStandIn } from './provider-stand-in.js';

/** Short consumer retries so a give-up into the dead-letter queue takes about a second. */
export const TEST_RETRY_DELAYS_MS = [100, 300, 1000];

/**
 * The notification service in-process on port 0 against a fresh database, a unique exchange and
 * service name on the real RabbitMQ, a provider stand-in and a token issuer; plus a publisher on
 * that exchange, so tests send the real envelopes other services would.
 */
export async function startNotificationLab(env: Record<string, string> = {}) {
  const database = await createTestDatabase();
  const provider = await startProviderStandIn();
  const tokens = await startTokenIssuer();
  const amqpUrl = rabbitmqUrl(lab());
  const exchange = `test.notification.${unique()}`;
  const serviceName = `notification-${unique()}`;
  const queue = `${serviceName}.events`;
  const log = captureLogger(serviceName);

  const config = loadConfig(configShape, {
    SERVICE_NAME: serviceName,
    DATABASE_URL: database.url,
    AMQP_URL: amqpUrl,
    EVENTS_EXCHANGE: exchange,
    PROVIDERS_URL: provider.url,
    JWKS_URL: tokens.jwksUrl,
    NOTIFY_RETRY_DELAYS_MS: TEST_RETRY_DELAYS_MS.join(','),
    // One provider call per delivery, so each consumer retry is one visible attempt.
    PROVIDERS_POLICY: JSON.stringify({ retry: { maxAttempts: 1 } }),
    ...env,
  });
  const service: RunningService = await startRuntime(runtimeOptions(config, { logger: log.logger }));
  await eventually('the consumer to subscribe', async () => service.consumers.every((c) => c.active) || undefined);

  const broker = connectBroker(amqpUrl, { logger: log.logger, name: `${serviceName}-test-publisher` });
  const publisher = createPublisher(broker, { logger: log.logger, exchange });
  await publisher.waitUntilReady();

  return {
    service,
    provider,
    tokens,
    logLines: log.lines,
    deadLetterQueue: `${queue}.dlq`,
    /** Publish a real envelope to the service's exchange; resolves on the broker's confirm. */
    async publish<T>(envelope: Envelope<T>): Promise<Envelope<T>> {
      await publisher.publish({ envelope });
      return envelope;
    },
    event: <T>(type: string, data: T) => createEnvelope(type, data),
    /** GET a path of the service, with a bearer token when given. */
    get: (path: string, token?: string) => fetch(`${service.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    async metrics(): Promise<string> {
      return (await fetch(`${service.url}/metrics`)).text();
    },
    deadLetterDepth: async () => (await checkQueue(amqpUrl, `${queue}.dlq`))?.messageCount ?? 0,
    drainDeadLetters: () => drainQueue(amqpUrl, `${queue}.dlq`),
    async stop() {
      await publisher.close();
      await broker.close();
      await service.stop();
      await deleteQueues([queue, `${queue}.dlq`, ...TEST_RETRY_DELAYS_MS.map((ms) => `${queue}.retry.${ms}ms`)]);
      await deleteExchange(exchange);
      await Promise.all([provider.close(), tokens.close(), database.drop()]);
    },
  };
}

export type NotificationLab = Awaited<ReturnType<typeof startNotificationLab>>;

/** The value of a counter sample with exactly these labels (besides `application`), or 0. */
export function counterValue(metrics: string, name: string, labels: Record<string, string>): number {
  for (const line of metrics.split('\n')) {
    const match = line.match(/^(\w+)\{([^}]*)\} (\S+)/);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    delete found.application;
    if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}
