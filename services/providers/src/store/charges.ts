import { randomUUID } from 'node:crypto';
import type { ProviderCharge } from '@faultline/contracts';
import type { DbClient, DbPool } from '@faultline/platform';

interface ChargeRow {
  charge_id: string;
  reference: string;
  amount: number;
  currency: 'EUR';
  status: 'succeeded' | 'refunded';
  refunded_amount: number;
}

const toCharge = (row: ChargeRow): ProviderCharge => ({
  chargeId: row.charge_id,
  reference: row.reference,
  amount: row.amount,
  currency: row.currency,
  status: row.status,
  refundedAmount: row.refunded_amount,
});

const newId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

export async function insertCharge(tx: DbClient, charge: { reference: string; amount: number; currency: string }): Promise<ProviderCharge> {
  const { rows } = await tx.query<ChargeRow>(
    `INSERT INTO charges (charge_id, reference, amount, currency, status) VALUES ($1, $2, $3, $4, 'succeeded') RETURNING *`,
    [newId('ch'), charge.reference, charge.amount, charge.currency],
  );
  return toCharge(rows[0] as ChargeRow);
}

/** The charge, locked for the rest of the transaction (refunds of one charge take turns). */
export async function lockCharge(tx: DbClient, chargeId: string): Promise<ProviderCharge | undefined> {
  const { rows } = await tx.query<ChargeRow>('SELECT * FROM charges WHERE charge_id = $1 FOR UPDATE', [chargeId]);
  return rows[0] && toCharge(rows[0]);
}

export async function findCharge(pool: DbPool, chargeId: string): Promise<ProviderCharge | undefined> {
  const { rows } = await pool.query<ChargeRow>('SELECT * FROM charges WHERE charge_id = $1', [chargeId]);
  return rows[0] && toCharge(rows[0]);
}

/** Charges, oldest first; only those of `reference` when given. */
export async function listCharges(pool: DbPool, filter: { reference?: string | undefined; limit: number }): Promise<ProviderCharge[]> {
  const { rows } = await pool.query<ChargeRow>('SELECT * FROM charges WHERE ($1::text IS NULL OR reference = $1) ORDER BY created_at, charge_id LIMIT $2', [
    filter.reference ?? null,
    filter.limit,
  ]);
  return rows.map(toCharge);
}

/** A reference (an order) the processor charged more than once: what a customer sees twice on their statement. */
export interface RepeatedReference {
  reference: string;
  charges: number;
  /** Its charges not wholly refunded: more than one is money taken twice. */
  unrefunded: number;
  /** Charged minus refunded, over all of the reference's charges, in cents. */
  kept: number;
}

/**
 * The processor's own statement: how many charges and references it holds, and every reference
 * charged more than once that still keeps money (newest first: the ones a run just made are
 * never cut off by older ones). A caller that charges once per reference (one idempotency key per
 * order, kept across retries) never has one; a retry under a fresh key makes one.
 */
export async function chargeStatement(pool: DbPool): Promise<{ charges: number; references: number; repeated: RepeatedReference[] }> {
  const [totals, repeated] = await Promise.all([
    pool.query<{ charges: string; refs: string }>('SELECT count(*) AS charges, count(DISTINCT reference) AS refs FROM charges'),
    pool.query<{ reference: string; charges: string; unrefunded: string; kept: string }>(
      `SELECT reference, count(*) AS charges, count(*) FILTER (WHERE refunded_amount < amount) AS unrefunded, sum(amount - refunded_amount) AS kept
         FROM charges GROUP BY reference HAVING count(*) > 1 AND sum(amount - refunded_amount) > 0
        ORDER BY max(created_at) DESC LIMIT 1000`,
    ),
  ]);
  return {
    charges: Number(totals.rows[0]?.charges ?? 0),
    references: Number(totals.rows[0]?.refs ?? 0),
    repeated: repeated.rows.map((r) => ({ reference: r.reference, charges: Number(r.charges), unrefunded: Number(r.unrefunded), kept: Number(r.kept) })),
  };
}

/** Record a refund of `amount` and return the charge's new state. */
export async function insertRefund(tx: DbClient, charge: ProviderCharge, amount: number): Promise<{ refundId: string; charge: ProviderCharge }> {
  const refundId = newId('re');
  await tx.query('INSERT INTO refunds (refund_id, charge_id, amount) VALUES ($1, $2, $3)', [refundId, charge.chargeId, amount]);
  const { rows } = await tx.query<ChargeRow>(
    `UPDATE charges SET refunded_amount = refunded_amount + $2,
       status = CASE WHEN refunded_amount + $2 = amount THEN 'refunded' ELSE status END
     WHERE charge_id = $1 RETURNING *`,
    [charge.chargeId, amount],
  );
  return { refundId, charge: toCharge(rows[0] as ChargeRow) };
}
