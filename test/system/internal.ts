import { serviceUrl } from '../../packages/lab/src/topology/services.js';
import { cfg } from './lab.js';

/**
 * A call to a service's internal route on its own port (not through the gateway), as another
 * service, an operator — or an intruder who reached the port — would make it. The one place that
 * knows how such calls are made.
 */
export async function internal(
  service: 'payment' | 'product',
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${serviceUrl(cfg, service)}${path}`, {
    method,
    headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
