import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { adminCredentials, labServiceToken } from './admin.js';
import { serviceUrl } from './services.js';

/** One broken invariant, for one order (or the whole system when `orderId` is absent). */
export interface Violation {
  invariant: 'stock' | 'payment' | 'refund' | 'ledger' | 'saga';
  orderId?: string;
  detail: string;
}

export interface AuditReport {
  clean: boolean;
  checkedOrders: number;
  violations: Violation[];
}

interface OrderView {
  orderId: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  paymentId: string | null;
  refunded: boolean;
  cancelReason: string | null;
  reservationId?: string;
}
interface LedgerAudit {
  balanced: boolean;
  complete: boolean;
  unbalancedTransactions: string[];
  paymentsMissingEntries: string[];
  orders: { orderId: string; captures: number; refunds: number; capturedAmount: number; refundedAmount: number }[];
}
interface InventoryAudit {
  consistent: boolean;
  products: { productId?: string; id?: string; name?: string; issues?: string[] }[];
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok)
    throw new LabError(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`, {
      hint: 'is the lab running? (npm run faultline -- status)',
    });
  return (await response.json()) as T;
}

/** Log in as the lab's admin, directly at the user service (not through an edge that may carry a fault). */
export async function adminToken(cfg: LabConfig): Promise<string> {
  const { email, password } = await adminCredentials(cfg);
  const response = await fetch(`${serviceUrl(cfg, 'user')}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok)
    throw new LabError(`admin login failed (${response.status})`, {
      hint: 'the admin is seeded when the user service starts; restart it: npm run faultline -- restart user',
    });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function allOrders(cfg: LabConfig, token: string): Promise<OrderView[]> {
  const orders: OrderView[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page: { items: OrderView[]; nextOffset: number | null } = await getJson(
      `${serviceUrl(cfg, 'order')}/v1/admin/orders?limit=100&offset=${offset}`,
      token,
    );
    orders.push(...page.items);
    offset = page.nextOffset;
  }
  return orders;
}

/**
 * The invariant audit, through the services' own (admin) APIs — never their tables: stock not
 * oversold or leaked; every confirmed order has exactly one captured payment; every cancelled
 * order that was charged has a refund; the ledger balances; no saga stuck beyond `stuckAfterSec`.
 */
export async function audit(cfg: LabConfig, options: { stuckAfterSec?: number } = {}): Promise<AuditReport> {
  const token = await adminToken(cfg);
  const stuckAfter = options.stuckAfterSec ?? 60;
  const [orders, ledger, inventory, sagas] = await Promise.all([
    allOrders(cfg, token),
    getJson<LedgerAudit>(`${serviceUrl(cfg, 'payment')}/v1/ledger/audit`, token),
    getJson<InventoryAudit>(`${serviceUrl(cfg, 'product')}/v1/inventory/audit?leakedAfterSec=${stuckAfter}`, token),
    getJson<{ items: { orderId: string; step: string; ageSec: number; lastError: string | null }[] }>(
      `${serviceUrl(cfg, 'order')}/v1/admin/sagas?olderThanSec=${stuckAfter}`,
      token,
    ),
  ]);
  const violations: Violation[] = [];
  const payments = new Map(ledger.orders.map((o) => [o.orderId, o]));
  for (const order of orders) {
    const paid = payments.get(order.orderId);
    if (order.status === 'confirmed' && paid?.captures !== 1) {
      violations.push({ invariant: 'payment', orderId: order.orderId, detail: `confirmed with ${paid?.captures ?? 0} captured payments (expected exactly 1)` });
    }
    if (order.status === 'cancelled' && paid && paid.captures > 0 && paid.refundedAmount < paid.capturedAmount) {
      violations.push({
        invariant: 'refund',
        orderId: order.orderId,
        detail: `cancelled (${order.cancelReason}) but ${paid.capturedAmount - paid.refundedAmount} cents charged and not refunded`,
      });
    }
    if (paid && paid.captures > 1) violations.push({ invariant: 'payment', orderId: order.orderId, detail: `charged ${paid.captures} times` });
  }
  const known = new Set(orders.map((o) => o.orderId));
  for (const paid of ledger.orders) {
    if (!known.has(paid.orderId) && paid.captures > paid.refunds)
      violations.push({ invariant: 'payment', orderId: paid.orderId, detail: 'charged for an order the order service does not know' });
  }
  if (!ledger.balanced)
    violations.push({
      invariant: 'ledger',
      detail: `unbalanced transactions: ${ledger.unbalancedTransactions.join(', ') || 'account totals do not sum to zero'}`,
    });
  if (!ledger.complete) violations.push({ invariant: 'ledger', detail: `payments without ledger entries: ${ledger.paymentsMissingEntries.join(', ')}` });
  if (!inventory.consistent) {
    for (const product of inventory.products.filter((p) => p.issues?.length)) {
      violations.push({ invariant: 'stock', detail: `${product.name ?? product.productId ?? product.id}: ${product.issues?.join(', ')}` });
    }
  }
  for (const saga of sagas.items)
    violations.push({
      invariant: 'saga',
      orderId: saga.orderId,
      detail: `stuck at ${saga.step} for ${Math.round(saga.ageSec)} s${saga.lastError ? ` (${saga.lastError})` : ''}`,
    });
  return { clean: violations.length === 0, checkedOrders: orders.length, violations };
}

/**
 * Undo what a saga run without compensation left behind: release the stock still held for
 * cancelled orders (product's release is idempotent and refuses a committed hold). `chaos prove`
 * calls it after knocking compensation out, so that later runs start from a consistent shop.
 * Returns how many holds it released.
 */
export async function releaseHoldsOfCancelledOrders(cfg: LabConfig): Promise<number> {
  const token = await adminToken(cfg);
  // Releasing a hold is an internal route: it takes the lab's own service token, not the admin's.
  const serviceToken = await labServiceToken(cfg, 'product');
  let released = 0;
  for (const order of await allOrders(cfg, token)) {
    if (order.status !== 'cancelled' || !order.reservationId) continue;
    const response = await fetch(`${serviceUrl(cfg, 'product')}/v1/reservations/${order.reservationId}/release`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) continue; // not found (never reserved) or committed: nothing held to give back
    const body = (await response.json()) as { status?: string };
    if (body.status === 'released') released += 1;
  }
  return released;
}
