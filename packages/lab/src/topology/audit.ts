import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { fetchJson } from '../fetch-json.js';
import { adminCredentials, serviceTokenFor } from './admin.js';
import { type AuditedInventory, type AuditedLedger, type AuditedOrder, type AuditedStatement, findViolations, type Violation } from './audit-rules.js';
import { serviceUrl } from './services.js';

export type { Violation } from './audit-rules.js';

export interface AuditReport {
  clean: boolean;
  checkedOrders: number;
  violations: Violation[];
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

type PageOfOrders = { items: AuditedOrder[]; nextOffset: number | null };
const ordersPage = (cfg: LabConfig, token: string, offset: number): Promise<PageOfOrders> =>
  fetchJson(`${serviceUrl(cfg, 'order')}/v1/admin/orders?limit=100&offset=${offset}`, { token });

async function allOrders(cfg: LabConfig, token: string): Promise<AuditedOrder[]> {
  const orders: AuditedOrder[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await ordersPage(cfg, token, offset);
    orders.push(...page.items);
    offset = page.nextOffset;
  }
  return orders;
}

/**
 * The orders created between `from` and `to` (epoch seconds), paged newest first until one older
 * than `from`; by id, since an order placed while paging shifts the pages and may be listed twice.
 */
export async function ordersPlacedBetween(cfg: LabConfig, token: string, from: number, to: number): Promise<AuditedOrder[]> {
  const found = new Map<string, AuditedOrder>();
  const at = (o: AuditedOrder) => Date.parse(o.createdAt ?? '') / 1000;
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await ordersPage(cfg, token, offset);
    for (const o of page.items) if (at(o) >= from && at(o) <= to) found.set(o.orderId, o);
    offset = page.items.some((o) => at(o) < from) ? null : page.nextOffset;
  }
  return [...found.values()];
}

/**
 * Orders placed since `known` was read (the list is newest first): pages until one already known.
 * They are judged as pending: payment and product were read before their state, so only their
 * existence is a fact as old as those reads.
 */
async function newerOrders(cfg: LabConfig, token: string, known: Set<string>): Promise<AuditedOrder[]> {
  const found: AuditedOrder[] = [];
  for (let offset: number | null = 0; offset !== null; ) {
    const page = await ordersPage(cfg, token, offset);
    const fresh = page.items.filter((o) => !known.has(o.orderId));
    found.push(...fresh.map((o) => ({ ...o, status: 'pending' as const })));
    offset = fresh.length < page.items.length ? null : page.nextOffset;
  }
  return found;
}

/**
 * The invariant audit, through the services' own (admin) APIs — never their tables — judged by
 * {@link findViolations}. Orders are read first: whatever payment and product show afterwards
 * happened after the order's state was read, so a settled order is never judged against a payment
 * or a hold newer than itself. Orders placed meanwhile are added, as pending. The card processor's
 * statement is read too: a charge it made twice for one order is a double charge whatever payment recorded.
 * Sagas open longer than `stuckAfterSec` are stuck; holds older than product's hold TTL
 * (HOLD_TTL_SEC, where its sweep expires them) are leaked.
 */
export async function audit(cfg: LabConfig, options: { stuckAfterSec?: number } = {}): Promise<AuditReport> {
  const token = await adminToken(cfg);
  const stuckAfter = options.stuckAfterSec ?? 60;
  const orders = await allOrders(cfg, token);
  const [ledger, inventory, sagas, statement] = await Promise.all([
    fetchJson<AuditedLedger>(`${serviceUrl(cfg, 'payment')}/v1/ledger/audit`, { token }),
    // Product's own hold TTL (HOLD_TTL_SEC, the one its sweep expires holds at) decides what is leaked.
    fetchJson<AuditedInventory & { leakedAfterSec: number }>(`${serviceUrl(cfg, 'product')}/v1/inventory/audit`, { token }),
    fetchJson<{ items: { orderId: string; step: string; ageSec: number; lastError: string | null }[] }>(
      `${serviceUrl(cfg, 'order')}/v1/admin/sagas?olderThanSec=${stuckAfter}`,
      { token },
    ),
    // The outside world's statement: a charge repeated under a new key shows only there.
    fetchJson<AuditedStatement>(`${serviceUrl(cfg, 'providers')}/v1/statement`),
  ]);
  orders.push(...(await newerOrders(cfg, token, new Set(orders.map((o) => o.orderId)))));
  const violations = findViolations({ orders, ledger, statement, inventory, stuckSagas: sagas.items, holdTtlSec: inventory.leakedAfterSec });
  return { clean: violations.length === 0, checkedOrders: orders.length, violations };
}

/**
 * Undo what a saga run without compensation left behind: release the stock still held for
 * cancelled orders (product's release is idempotent and refuses a committed hold) and refund in
 * full the payments still captured for them (payment's refund is idempotent, and tells order,
 * which marks the order refunded). Both are asked as order's saga would have asked, with its own
 * client (the lab holds every service's credentials). `chaos prove` calls it after knocking
 * compensation out, so that later runs start from a consistent shop. Returns how many cancelled
 * orders' holds are released (now or before) and how many payments it refunded; a refusal other
 * than "nothing to do" (404, 409) is an error naming it.
 */
export async function undoUncompensatedSagas(cfg: LabConfig): Promise<{ released: number; refunded: number }> {
  const token = await adminToken(cfg);
  const [productToken, paymentToken] = await Promise.all([serviceTokenFor(cfg, 'order', 'product'), serviceTokenFor(cfg, 'order', 'payment')]);
  const cancelled = (await allOrders(cfg, token)).filter((o) => o.status === 'cancelled');
  const ledger = await fetchJson<AuditedLedger>(`${serviceUrl(cfg, 'payment')}/v1/ledger/audit`, { token });
  const kept = new Set(ledger.orders.filter((o) => o.capturedAmount > o.refundedAmount).map((o) => o.orderId));
  /** POST as order; the answer's body, or undefined when there was nothing to do (404 unknown, 409 not in that state). */
  const post = async (url: string, serviceToken: string, what: string): Promise<{ status?: string } | undefined> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404 || response.status === 409) return undefined;
    if (!response.ok)
      throw new LabError(`${what} was refused (${response.status}): ${(await response.text()).slice(0, 200)}`, {
        hint: 'run "npm run faultline -- audit" to see what is left',
      });
    return (await response.json()) as { status?: string };
  };
  let released = 0;
  let refunded = 0;
  for (const order of cancelled) {
    if (order.reservationId) {
      const answer = await post(
        `${serviceUrl(cfg, 'product')}/v1/reservations/${order.reservationId}/release`,
        productToken,
        `releasing the hold of order ${order.orderId}`,
      );
      if (answer?.status === 'released') released += 1;
    }
    if (order.paymentId && kept.has(order.orderId)) {
      if (await post(`${serviceUrl(cfg, 'payment')}/v1/payments/${order.paymentId}/refund`, paymentToken, `refunding order ${order.orderId}`)) refunded += 1;
    }
  }
  return { released, refunded };
}

/**
 * Undo what the `idempotency-key` knock-out did at the card processor: of each order charged more
 * than once, refund every charge but the newest in full (the newest is the attempt whose answer
 * arrived, the one payment recorded). `chaos prove` calls it after that knock-out, so that later
 * audits are not failed by this run's double charges. Returns how many charges it refunded.
 */
export async function refundRepeatedCharges(cfg: LabConfig): Promise<number> {
  const processor = serviceUrl(cfg, 'providers');
  const statement = await fetchJson<AuditedStatement>(`${processor}/v1/statement`);
  let refunded = 0;
  for (const repeated of statement.repeated.filter((r) => r.unrefunded > 1)) {
    const { charges } = await fetchJson<{ charges: { chargeId: string; amount: number; refundedAmount: number }[] }>(
      `${processor}/v1/charges?reference=${encodeURIComponent(repeated.reference)}`,
    );
    const unrefunded = charges.filter((c) => c.refundedAmount < c.amount); // oldest first
    for (const charge of unrefunded.slice(0, -1)) {
      await fetchJson(`${processor}/v1/charges/${encodeURIComponent(charge.chargeId)}/refunds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `lab-undo-${charge.chargeId}` },
        body: JSON.stringify({ amount: charge.amount - charge.refundedAmount }),
      });
      refunded += 1;
    }
  }
  return refunded;
}
