import { randomUUID } from 'node:crypto';
import { TEST_CARD_TOKENS } from '@faultline/contracts';
import { loadConfig, startComponent } from '@faultline/lab';
import { eventually } from '@faultline/lab/testing';
import { audit } from '../../packages/lab/src/topology/audit.js';
import { gateway, gatewayUrl } from '../../packages/lab/src/topology/gateway.js';
import { servicesUp } from '../../packages/lab/src/topology/lab.js';
import { writeServiceTargets } from '../../packages/lab/src/topology/prometheus-targets.js';

/** The native lab the system tests run against: the same processes, proxies and gateway as `npm start`. */
export const cfg = loadConfig();
export const api = `${gatewayUrl(cfg)}/api`;

/** Bring the whole shop up (idempotent): proxies, databases, the six services, the gateway. */
export async function ensureShop(): Promise<void> {
  await servicesUp(cfg, { renderer: 'simple' });
  await startComponent(cfg, gateway);
  await writeServiceTargets(cfg);
}

export interface Customer {
  token: string;
  email: string;
}

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** Register and log in a fresh customer through the gateway. */
export async function newCustomer(): Promise<Customer> {
  const email = `sys-${randomUUID()}@faultline.test`;
  const password = 'system-test-password';
  const registered = await fetch(`${api}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'System Test', password }),
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const login = await fetch(`${api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { token: String((await json(login)).accessToken), email };
}

export interface CheckoutAnswer {
  status: number;
  orderId: string;
  body: Record<string, unknown>;
  traceparent: string;
}

/** Check out the given items through the gateway, with a traceparent we choose so the trace can be found. */
export async function checkout(
  customer: Customer,
  items: { productId: string; quantity: number }[],
  cardToken: string = TEST_CARD_TOKENS.success,
  key = randomUUID(),
): Promise<CheckoutAnswer> {
  const traceId = randomUUID().replaceAll('-', '');
  const traceparent = `00-${traceId}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`;
  const response = await fetch(`${api}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}`, 'idempotency-key': key, traceparent },
    body: JSON.stringify({ items, cardToken }),
  });
  const body = await json(response);
  return { status: response.status, orderId: String(body.orderId ?? ''), body, traceparent };
}

/** Wait until the order reaches a final status (confirmed or cancelled). */
export async function finalOrder(customer: Customer, orderId: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return eventually(
    `order ${orderId} to finish`,
    async () => {
      const response = await fetch(`${api}/orders/${orderId}`, { headers: { authorization: `Bearer ${customer.token}` } });
      if (!response.ok) return undefined;
      const order = await json(response);
      return order.status === 'confirmed' || order.status === 'cancelled' ? order : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The invariant audit must come back clean (sagas older than `stuckAfterSec` count as stuck). */
export async function expectCleanAudit(stuckAfterSec = 30): Promise<void> {
  const report = await audit(cfg, { stuckAfterSec });
  if (!report.clean) throw new Error(`invariant audit found:\n${report.violations.map((v) => `  ${v.invariant} ${v.orderId ?? ''} ${v.detail}`).join('\n')}`);
}

/** Demo catalog products (seeded by the product service): plenty of stock, and one with only 5. */
export const PRODUCTS = { mug: '10000000-0000-4000-8000-000000000001', plush: '10000000-0000-4000-8000-000000000012' } as const;
