import type { Payment } from '@faultline/contracts';
import type { DbClient, DbPool } from '@faultline/platform';

/** A payment as stored: the public shape plus the processor's charge id (absent for a decline). */
export type StoredPayment = Payment & { chargeId: string | null };

export interface PaymentRow {
  payment_id: string;
  order_id: string;
  user_id: string;
  amount: number;
  currency: 'EUR';
  status: Payment['status'];
  decline_reason: string | null;
  charge_id: string | null;
  created_at: Date;
}

export const toPayment = (row: PaymentRow): StoredPayment => ({
  paymentId: row.payment_id,
  orderId: row.order_id,
  userId: row.user_id,
  amount: row.amount,
  currency: row.currency,
  status: row.status,
  ...(row.decline_reason === null ? {} : { declineReason: row.decline_reason }),
  createdAt: row.created_at.toISOString(),
  chargeId: row.charge_id,
});

/** The payment as answered to clients (no processor internals). */
export const publicPayment = ({ chargeId: _chargeId, ...payment }: StoredPayment): Payment => payment;

export async function findPaymentByOrder(db: DbPool | DbClient, orderId: string): Promise<StoredPayment | undefined> {
  const { rows } = await db.query<PaymentRow>('SELECT * FROM payments WHERE order_id = $1', [orderId]);
  return rows[0] && toPayment(rows[0]);
}

export async function findPaymentById(db: DbPool | DbClient, paymentId: string): Promise<StoredPayment | undefined> {
  const { rows } = await db.query<PaymentRow>('SELECT * FROM payments WHERE payment_id = $1', [paymentId]);
  return rows[0] && toPayment(rows[0]);
}

export interface NewPayment {
  paymentId: string;
  orderId: string;
  userId: string;
  amount: number;
  currency: string;
  status: 'captured' | 'declined';
  declineReason?: string;
  chargeId?: string;
}

/** Insert the order's payment; undefined when the order already has one (a concurrent request won). */
export async function insertPayment(tx: DbClient, payment: NewPayment): Promise<StoredPayment | undefined> {
  const { rows } = await tx.query<PaymentRow>(
    `INSERT INTO payments (payment_id, order_id, user_id, amount, currency, status, decline_reason, charge_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id) DO NOTHING RETURNING *`,
    [
      payment.paymentId,
      payment.orderId,
      payment.userId,
      payment.amount,
      payment.currency,
      payment.status,
      payment.declineReason ?? null,
      payment.chargeId ?? null,
    ],
  );
  return rows[0] && toPayment(rows[0]);
}

/** Captured → refunded; undefined when the payment was not captured (already refunded by a concurrent request). */
export async function markRefunded(tx: DbClient, paymentId: string): Promise<StoredPayment | undefined> {
  const { rows } = await tx.query<PaymentRow>(
    `UPDATE payments SET status = 'refunded', refunded_at = clock_timestamp() WHERE payment_id = $1 AND status = 'captured' RETURNING *`,
    [paymentId],
  );
  return rows[0] && toPayment(rows[0]);
}

/** A user's payments, newest first. */
export async function listPaymentsOfUser(pool: DbPool, userId: string, limit: number): Promise<StoredPayment[]> {
  const { rows } = await pool.query<PaymentRow>('SELECT * FROM payments WHERE user_id = $1 ORDER BY created_at DESC, payment_id LIMIT $2', [userId, limit]);
  return rows.map(toPayment);
}
