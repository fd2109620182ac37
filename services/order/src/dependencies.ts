import { createDependencyPolicy, createHttpClient, createServiceTokens, type HttpClient, type RuntimeKit } from '@faultline/platform';
import type { OrderConfig } from './config.js';

export interface Dependencies {
  product: HttpClient;
  payment: HttpClient;
}

/** One client per dependency, each with its one shared policy (built once, at start). */
export function createDependencies(config: OrderConfig, kit: Pick<RuntimeKit, 'logger' | 'metrics'>): Dependencies {
  // Product's reservations and payment's charges are internal routes: each call carries a service token for its callee.
  const tokens =
    config.SERVICE_TOKEN_URL && config.SERVICE_CLIENT_SECRET
      ? createServiceTokens({
          tokenUrl: config.SERVICE_TOKEN_URL,
          clientId: config.SERVICE_CLIENT_ID ?? config.SERVICE_NAME,
          clientSecret: config.SERVICE_CLIENT_SECRET,
          logger: kit.logger,
        })
      : undefined;
  if (!tokens) kit.logger.warn('no service credentials (SERVICE_TOKEN_URL, SERVICE_CLIENT_SECRET): calls to product and payment carry no token');
  const client = (name: string, baseUrl: string, settings: OrderConfig['PAYMENT_POLICY']) =>
    createHttpClient({
      name,
      baseUrl,
      ...(tokens ? { serviceToken: tokens.sourceFor(name) } : {}),
      logger: kit.logger,
      defaultTimeoutMs: config.DEPENDENCY_DEADLINE_MS,
      policy: createDependencyPolicy({
        name,
        settings,
        mode: config.RESILIENCE_MODE,
        logger: kit.logger,
        registry: kit.metrics.registry,
        deadlineMs: config.DEPENDENCY_DEADLINE_MS,
        knockout: config.FAULTLINE_KNOCKOUT,
      }),
    });
  return { product: client('product', config.PRODUCT_URL, config.PRODUCT_POLICY), payment: client('payment', config.PAYMENT_URL, config.PAYMENT_POLICY) };
}
