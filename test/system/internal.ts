import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { toxiproxyUrl } from '../../packages/lab/src/index.js';
import { serviceTokenFor } from '../../packages/lab/src/topology/admin.js';
import { serviceUrl } from '../../packages/lab/src/topology/services.js';
import { cfg } from './lab.js';

/**
 * A call to a service's internal route on its own port (not through the gateway), as another
 * service would make it: with the order service's own service token (order holds every scope at
 * product and payment). The one place that knows how such calls are made.
 */
export async function internal(
  service: 'payment' | 'product',
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const token = await serviceTokenFor(cfg, 'order', service);
  const response = await fetch(`${serviceUrl(cfg, service)}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * Run `work` while an edge swallows every request (a Toxiproxy `timeout` toxic with no limit: the
 * caller's answer never comes back), then lift the stall whatever `work` did.
 */
export async function whileEdgeStalled<T>(edge: string, work: () => Promise<T>): Promise<T> {
  const toxics = `${toxiproxyUrl(cfg)}/proxies/${edge}/toxics`;
  const name = `stall-${randomUUID().slice(0, 8)}`;
  const added = await fetch(toxics, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, type: 'timeout', stream: 'upstream', attributes: { timeout: 0 } }),
  });
  assert.equal(added.status, 200, `stalling ${edge}: Toxiproxy answered ${added.status}`);
  try {
    return await work();
  } finally {
    await fetch(`${toxics}/${name}`, { method: 'DELETE' });
  }
}
