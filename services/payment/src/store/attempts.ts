import type { ChargeRequest } from '@faultline/contracts';
import type { DbPool } from '@faultline/platform';

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

/** Count an attempt to charge the order, committed before the processor is called; returns the first attempt's details. */
export async function recordAttempt(pool: DbPool, request: ChargeRequest): Promise<Attempt> {
  const { rows } = await pool.query<AttemptRow>(
    `INSERT INTO payment_attempts (order_id, user_id, amount, currency) VALUES ($1, $2, $3, $4)
     ON CONFLICT (order_id) DO UPDATE SET attempts = payment_attempts.attempts + 1, last_at = now()
     RETURNING order_id, user_id, amount, currency, attempts`,
    [request.orderId, request.userId, request.amount, request.currency],
  );
  return toAttempt(rows[0] as AttemptRow);
}

export async function findAttempt(pool: DbPool, orderId: string): Promise<Attempt | undefined> {
  const { rows } = await pool.query<AttemptRow>('SELECT order_id, user_id, amount, currency, attempts FROM payment_attempts WHERE order_id = $1', [orderId]);
  return rows[0] && toAttempt(rows[0]);
}
