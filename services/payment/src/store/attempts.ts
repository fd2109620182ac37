import type { ChargeRequest } from '@faultline/contracts';
import type { DbPool } from '@faultline/platform';
import { type PaymentRow, type StoredPayment, toPayment } from './payments.js';

/** What is known about an order's charge before the processor answers. */
export interface Attempt {
  orderId: string;
  userId: string;
  amount: number;
  currency: 'EUR';
  /** 1 on the first attempt; more means an earlier attempt may have charged the card. */
  attempts: number;
}

interface AttemptRow {
  order_id: string;
  user_id: string;
  amount: number;
  currency: 'EUR';
  attempts: number;
}

const toAttempt = (row: AttemptRow): Attempt => ({
  orderId: row.order_id,
  userId: row.user_id,
  amount: row.amount,
  currency: row.currency,
  attempts: row.attempts,
});

export async function findAttempt(pool: DbPool, orderId: string): Promise<Attempt | undefined> {
  const { rows } = await pool.query<AttemptRow>('SELECT order_id, user_id, amount, currency, attempts FROM payment_attempts WHERE order_id = $1', [orderId]);
  return rows[0] && toAttempt(rows[0]);
}

/**
 * The order's payment when it has one (no attempt is counted then); otherwise count an attempt to
 * charge the order, committed before the processor is called, and return the first attempt's
 * details. One statement instead of a lookup followed by the attempt's upsert.
 */
export async function paymentOrAttempt(pool: DbPool, request: ChargeRequest): Promise<{ payment: StoredPayment } | { attempt: Attempt }> {
  const { rows } = await pool.query<Partial<PaymentRow> & { attempt: AttemptRow | null }>(
    `WITH paid AS (SELECT * FROM payments WHERE order_id = $1),
     attempt AS (
       INSERT INTO payment_attempts (order_id, user_id, amount, currency) SELECT $1, $2, $3, $4 WHERE NOT EXISTS (SELECT 1 FROM paid)
       ON CONFLICT (order_id) DO UPDATE SET attempts = payment_attempts.attempts + 1, last_at = now()
       RETURNING order_id, user_id, amount, currency, attempts)
     SELECT paid.*, (SELECT json_build_object('order_id', order_id, 'user_id', user_id, 'amount', amount, 'currency', currency, 'attempts', attempts) FROM attempt) AS attempt
     FROM (SELECT 1) AS one LEFT JOIN paid ON true`,
    [request.orderId, request.userId, request.amount, request.currency],
  );
  const row = rows[0];
  if (row?.payment_id) return { payment: toPayment(row as PaymentRow) };
  if (!row?.attempt) throw new Error(`order ${request.orderId} has neither a payment nor an attempt`);
  return { attempt: toAttempt(row.attempt) };
}
