/**
 * The shop's invariants as one pure function over what the services' admin APIs answered. Both
 * `faultline audit` and the chaos `audit-clean` expectation judge with it.
 */

/** One broken invariant, for one order (or the whole system when `orderId` is absent). */
export interface Violation {
  invariant: 'stock' | 'payment' | 'refund' | 'ledger' | 'saga';
  orderId?: string;
  detail: string;
}

/** An order as order's admin API lists it. */
export interface AuditedOrder {
  orderId: string;
  status: 'pending' | 'confirmed' | 'cancelled';
  total: number | null;
  paymentId: string | null;
  refunded: boolean;
  cancelReason: string | null;
  reservationId?: string;
  /** ISO time the order was placed (order's admin list always gives it). */
  createdAt?: string;
}

/** Payment's ledger audit: the books, and per order what was captured and refunded. */
export interface AuditedLedger {
  balanced: boolean;
  complete: boolean;
  unbalancedTransactions: string[];
  paymentsMissingEntries: string[];
  orders: { orderId: string; captures: number; refunds: number; capturedAmount: number; refundedAmount: number }[];
}

/** Product's inventory audit: per product figures, and every hold still held. */
export interface AuditedInventory {
  consistent: boolean;
  products: { productId?: string; name?: string; issues?: string[] }[];
  holds?: { reservationId: string; orderId: string; units: number; ageSec: number }[];
}

/** The card processor's statement: every reference (order id) it charged more than once. */
export interface AuditedStatement {
  charges: number;
  references: number;
  repeated: { reference: string; charges: number; unrefunded: number; kept: number }[];
}

export interface AuditSnapshot {
  orders: AuditedOrder[];
  ledger: AuditedLedger;
  /** The outside world's view: the processor may hold a charge payment's ledger never recorded. */
  statement: AuditedStatement;
  inventory: AuditedInventory;
  /** Sagas not done, already filtered to those older than the stuck threshold. */
  stuckSagas: { orderId: string; step: string; ageSec: number; lastError: string | null }[];
  /** A hold older than this is leaked, whatever its order (HOLD_TTL_SEC: product expires it then). */
  holdTtlSec: number;
}

const cents = (amount: number) => `${amount} cents`;

/**
 * Every broken invariant in the snapshot:
 * - confirmed ⇔ exactly one capture, of the order's total;
 * - cancelled (declined included) ⇒ no money kept;
 * - a refunded payment ⇒ the order says refunded (once its saga is done);
 * - stock held only for pending orders, and never beyond the hold TTL (each named by its order);
 * - money captured only for orders the order service knows;
 * - an order the card processor charged more than once keeps there no more than payment's ledger
 *   says (a retry under a fresh idempotency key charges again, and only the processor's statement
 *   shows it: payment records one capture);
 * - the ledger balances and is complete; no saga stuck; no product oversold or miscounted.
 */
export function findViolations(snapshot: AuditSnapshot): Violation[] {
  const violations: Violation[] = [];
  const add = (invariant: Violation['invariant'], orderId: string | undefined, detail: string) =>
    violations.push({ invariant, ...(orderId ? { orderId } : {}), detail });
  const payments = new Map(snapshot.ledger.orders.map((o) => [o.orderId, o]));
  const orders = new Map(snapshot.orders.map((o) => [o.orderId, o]));

  for (const order of snapshot.orders) {
    const paid = payments.get(order.orderId) ?? { captures: 0, refunds: 0, capturedAmount: 0, refundedAmount: 0 };
    const kept = paid.capturedAmount - paid.refundedAmount;
    if (paid.captures > 1) add('payment', order.orderId, `charged ${paid.captures} times`);
    if (order.status === 'confirmed') {
      if (paid.captures !== 1) add('payment', order.orderId, `confirmed with ${paid.captures} captured payments (expected exactly 1)`);
      else if (paid.capturedAmount !== order.total)
        add('payment', order.orderId, `confirmed with a capture of ${cents(paid.capturedAmount)}, but the order's total is ${cents(order.total ?? 0)}`);
    }
    if (order.status === 'cancelled' && kept > 0)
      add('refund', order.orderId, `cancelled (${order.cancelReason ?? 'no reason'}) but ${cents(kept)} charged and not refunded`);
    if (order.status !== 'pending' && paid.refundedAmount > 0 && !order.refunded)
      add('refund', order.orderId, `payment refunded ${cents(paid.refundedAmount)}, but the order is ${order.status} and not refunded`);
  }

  for (const paid of snapshot.ledger.orders) {
    if (!orders.has(paid.orderId) && paid.capturedAmount > paid.refundedAmount)
      add('payment', paid.orderId, 'charged for an order the order service does not know');
  }

  for (const repeated of snapshot.statement.repeated) {
    // A pending order's charge may be under way; a settled one keeps at the processor exactly what payment's ledger says.
    if (orders.get(repeated.reference)?.status === 'pending') continue;
    const paid = payments.get(repeated.reference);
    const recorded = paid ? paid.capturedAmount - paid.refundedAmount : 0;
    if (repeated.kept > recorded)
      add(
        'payment',
        repeated.reference,
        `the card processor charged it ${repeated.charges} times and keeps ${cents(repeated.kept)}, payment's ledger ${cents(recorded)}: a retried charge under a new idempotency key`,
      );
  }

  if (!snapshot.ledger.balanced)
    add('ledger', undefined, `unbalanced transactions: ${snapshot.ledger.unbalancedTransactions.join(', ') || 'account totals do not sum to zero'}`);
  if (!snapshot.ledger.complete) add('ledger', undefined, `payments without ledger entries: ${snapshot.ledger.paymentsMissingEntries.join(', ')}`);

  // Held stock by product (leaked holds are judged per hold below, where the order can be named).
  for (const product of snapshot.inventory.products) {
    const issues = (product.issues ?? []).filter((issue) => issue !== 'leaked-holds');
    if (issues.length) add('stock', undefined, `${product.name ?? product.productId}: ${issues.join(', ')}`);
  }
  for (const hold of snapshot.inventory.holds ?? []) {
    const order = orders.get(hold.orderId);
    const what = `${hold.units} units held by reservation ${hold.reservationId} for ${hold.ageSec} s`;
    if (!order) add('stock', hold.orderId, `${what}, for an order the order service does not know`);
    else if (order.status !== 'pending') add('stock', hold.orderId, `${what}, but the order is ${order.status}`);
    else if (hold.ageSec > snapshot.holdTtlSec) add('stock', hold.orderId, `${what}: older than the hold TTL (${snapshot.holdTtlSec} s)`);
  }

  for (const saga of snapshot.stuckSagas)
    add('saga', saga.orderId, `stuck at ${saga.step} for ${Math.round(saga.ageSec)} s${saga.lastError ? ` (${saga.lastError})` : ''}`);
  return violations;
}
