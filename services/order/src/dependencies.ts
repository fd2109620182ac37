import { createDependencyPolicy, createHttpClient, type HttpClient, type RuntimeKit } from '@faultline/platform';
import type { OrderConfig } from './config.js';

export interface Dependencies {
  product: HttpClient;
  payment: HttpClient;
}

/** One client per dependency, each with its one shared policy (built once, at start). */
export function createDependencies(config: OrderConfig, kit: Pick<RuntimeKit, 'logger' | 'metrics'>): Dependencies {
  const client = (name: string, baseUrl: string, settings: OrderConfig['PAYMENT_POLICY']) =>
    createHttpClient({
      name,
      baseUrl,
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
