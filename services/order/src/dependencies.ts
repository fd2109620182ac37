import { buildDependencies, type HttpClient, type RuntimeKit } from '@faultline/platform';
import { ORDER_DEPENDENCIES, type OrderConfig } from './config.js';

export interface Dependencies {
  product: HttpClient;
  payment: HttpClient;
}

/** One client per declared dependency, each with its one shared policy and service token (built once, at start). */
export function createDependencies(config: OrderConfig, kit: Pick<RuntimeKit, 'logger' | 'metrics'>): Dependencies {
  const built = buildDependencies(ORDER_DEPENDENCIES, config, kit);
  return { product: built.product.http, payment: built.payment.http };
}
