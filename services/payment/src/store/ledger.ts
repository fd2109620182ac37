import { randomUUID } from 'node:crypto';
import type { DbClient, DbPool } from '@faultline/platform';
import type { StoredPayment } from './payments.js';

/**
 * The accounts. A capture debits what the card processor now holds for us and credits revenue;
 * a refund reverses both. Debits are positive, credits negative: every transaction sums to zero.
 */
export const ACCOUNTS = {
  /** Asset: money collected by the card processor and not yet paid out to us (or paid back to the customer). */
  clearing: 'card_processor_clearing',
  /** Revenue from orders (reduced again by refunds). */
  revenue: 'order_revenue',
} as const;

type Kind = 'capture' | 'refund';

/** One ledger transaction: its lines in one statement (the deferred trigger checks they balance at commit). */
async function post(tx: DbClient, kind: Kind, payment: StoredPayment, lines: [string, number][]): Promise<void> {
  await tx.query(
    `INSERT INTO ledger_entries (transaction_id, kind, payment_id, order_id, account, amount, currency)
     SELECT $1, $2, $3, $4, account, amount, $5 FROM unnest($6::text[], $7::bigint[]) AS line(account, amount)`,
    [randomUUID(), kind, payment.paymentId, payment.orderId, payment.currency, lines.map(([account]) => account), lines.map(([, amount]) => amount)],
  );
}

export const postCapture = (tx: DbClient, payment: StoredPayment) =>
  post(tx, 'capture', payment, [
    [ACCOUNTS.clearing, payment.amount],
    [ACCOUNTS.revenue, -payment.amount],
  ]);

export const postRefund = (tx: DbClient, payment: StoredPayment) =>
  post(tx, 'refund', payment, [
    [ACCOUNTS.revenue, payment.amount],
    [ACCOUNTS.clearing, -payment.amount],
  ]);

export interface OrderLedger {
  orderId: string;
  captures: number;
  refunds: number;
  capturedAmount: number;
  refundedAmount: number;
}

/** Totals per account and the ids of transactions whose lines do not sum to zero. */
export async function ledgerBalances(pool: DbPool): Promise<{ totals: Record<string, number>; unbalanced: string[]; transactions: number }> {
  const totals = await pool.query<{ account: string; total: string }>(
    'SELECT account, sum(amount) AS total FROM ledger_entries GROUP BY account ORDER BY account',
  );
  const unbalanced = await pool.query<{ transaction_id: string }>('SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING sum(amount) <> 0');
  const count = await pool.query<{ n: string }>('SELECT count(DISTINCT transaction_id) AS n FROM ledger_entries');
  return {
    totals: Object.fromEntries(totals.rows.map((r) => [r.account, Number(r.total)])),
    unbalanced: unbalanced.rows.map((r) => r.transaction_id),
    transactions: Number(count.rows[0]?.n ?? 0),
  };
}

/** Captures and refunds per order, from the ledger (oldest order first; one order when `orderId` is given). */
export async function ledgerByOrder(pool: DbPool, orderId?: string): Promise<OrderLedger[]> {
  const { rows } = await pool.query<{ order_id: string; captures: string; refunds: string; captured: string | null; refunded: string | null }>(
    `SELECT order_id,
            count(DISTINCT transaction_id) FILTER (WHERE kind = 'capture') AS captures,
            count(DISTINCT transaction_id) FILTER (WHERE kind = 'refund') AS refunds,
            sum(amount) FILTER (WHERE kind = 'capture' AND account = $1) AS captured,
            -sum(amount) FILTER (WHERE kind = 'refund' AND account = $1) AS refunded
     FROM ledger_entries WHERE ($2::uuid IS NULL OR order_id = $2)
     GROUP BY order_id ORDER BY min(entry_id)`,
    [ACCOUNTS.clearing, orderId ?? null],
  );
  return rows.map((r) => ({
    orderId: r.order_id,
    captures: Number(r.captures),
    refunds: Number(r.refunds),
    capturedAmount: Number(r.captured ?? 0),
    refundedAmount: Number(r.refunded ?? 0),
  }));
}

/** Payments whose ledger lines are missing: captured or refunded without a capture, refunded without a refund. */
export async function paymentsMissingEntries(pool: DbPool): Promise<string[]> {
  const { rows } = await pool.query<{ payment_id: string }>(
    `SELECT p.payment_id FROM payments p
     WHERE (p.status IN ('captured', 'refunded') AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.payment_id = p.payment_id AND e.kind = 'capture'))
        OR (p.status = 'refunded' AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.payment_id = p.payment_id AND e.kind = 'refund'))`,
  );
  return rows.map((r) => r.payment_id);
}
