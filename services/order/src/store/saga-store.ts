import type { DbClient, DbPool } from '@faultline/platform';
import type { CancelReason } from '../domain/order-events.js';
import type { Saga, SagaStep, Transition } from '../domain/saga.js';

type Db = DbPool | DbClient;

/** The saga row: the state machine's part plus what the steps need to call the dependencies. */
export interface SagaRecord extends Saga {
  userId: string;
  reservationId: string;
  cardToken: string | null;
  nextAttemptAt: Date;
  lastError: string | null;
  leaseOwner: string | null;
}

const COLUMNS = `order_id AS "orderId", user_id AS "userId", reservation_id AS "reservationId", card_token AS "cardToken", step, attempts,
  cancel_reason AS "cancelReason", started_at AS "startedAt", next_attempt_at AS "nextAttemptAt", last_error AS "lastError", lease_owner AS "leaseOwner"`;

const leaseUntil = `now() + $2 * interval '1 millisecond'`;

/** What a new checkout's saga needs to call the dependencies. */
export interface NewSaga {
  orderId: string;
  userId: string;
  reservationId: string;
  cardToken: string;
}

/**
 * The INSERT of a new saga at its first step, already leased to `owner` (the checkout request runs
 * it first), its parameters numbered from `$${first + 1}`; with the row it writes, so nobody reads it back.
 */
export function sagaInsert(first: number, saga: NewSaga, owner: string, leaseMs: number): { sql: string; params: unknown[]; record: SagaRecord } {
  const $ = (n: number) => `$${first + n}`;
  const now = new Date();
  return {
    sql: `INSERT INTO sagas (order_id, user_id, reservation_id, card_token, step, lease_owner, lease_until)
     VALUES (${$(1)}, ${$(3)}, ${$(4)}, ${$(5)}, 'reserve-stock', ${$(6)}, now() + ${$(2)} * interval '1 millisecond')`,
    params: [saga.orderId, leaseMs, saga.userId, saga.reservationId, saga.cardToken, owner],
    record: { ...saga, step: 'reserve-stock', attempts: 0, cancelReason: null, startedAt: now, nextAttemptAt: now, lastError: null, leaseOwner: owner },
  };
}

export async function loadSaga(db: Db, orderId: string): Promise<SagaRecord | undefined> {
  const { rows } = await db.query<SagaRecord>(`SELECT ${COLUMNS} FROM sagas WHERE order_id = $1`, [orderId]);
  return rows[0];
}

/**
 * Lease up to `limit` due sagas to runners named `<owner>:<order id>`. SKIP LOCKED lets two
 * instances poll at once without taking the same saga; the lease keeps it theirs while it runs.
 */
export async function claimDueSagas(pool: DbPool, owner: string, leaseMs: number, limit: number): Promise<{ orderId: string; leaseOwner: string }[]> {
  const { rows } = await pool.query<{ orderId: string; leaseOwner: string }>(
    // The locking CTE is evaluated exactly once, so every row it locks is the row it updates.
    `WITH due AS MATERIALIZED (
       SELECT order_id FROM sagas
       WHERE step <> 'done' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
       ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
     UPDATE sagas s SET lease_owner = $1 || ':' || s.order_id, lease_until = ${leaseUntil}
     FROM due WHERE s.order_id = due.order_id
     RETURNING s.order_id AS "orderId", s.lease_owner AS "leaseOwner"`,
    [owner, leaseMs, limit],
  );
  return rows;
}

/** Before an attempt: renew the lease and record where to resume if the attempt's outcome is lost. False when the lease is lost. */
export async function startAttempt(db: Db, orderId: string, owner: string, leaseMs: number, resumeAt: ResumePoint): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sagas SET lease_until = ${leaseUntil}, step = $4, next_attempt_at = $5, updated_at = now() WHERE order_id = $1 AND lease_owner = $3`,
    [orderId, leaseMs, owner, resumeAt.step, resumeAt.at],
  );
  return rowCount === 1;
}

/**
 * The UPDATE that records a transition, its parameters numbered from `$${first + 1}`
 * ({@link transitionParams}); only under `owner`'s lease.
 */
export function transitionUpdate(first: number): string {
  const $ = (n: number) => `$${first + n}`;
  const until = `now() + ${$(2)} * interval '1 millisecond'`;
  return `UPDATE sagas SET step = ${$(4)}, attempts = ${$(5)}, cancel_reason = ${$(6)}, last_error = ${$(7)}, updated_at = now(),
       next_attempt_at = coalesce(${$(8)}, now()),
       lease_owner = CASE WHEN ${$(9)} THEN NULL ELSE lease_owner END,
       lease_until = CASE WHEN ${$(9)} THEN NULL ELSE ${until} END,
       card_token = CASE WHEN ${$(10)} THEN NULL ELSE card_token END,
       finished_at = CASE WHEN ${$(10)} THEN now() END
     WHERE order_id = ${$(1)} AND lease_owner = ${$(3)}`;
}

/** Where a step is resumed if its attempt's outcome is lost, written before the attempt starts. */
export interface ResumePoint {
  step: SagaStep;
  at: Date;
}

/**
 * The parameters of {@link transitionUpdate}. With `resumeAt` (a transition that goes on at once
 * to its next step) the row stores that step's resume point, as {@link startAttempt} would just
 * before the attempt: the same write, one statement fewer.
 */
export function transitionParams(orderId: string, owner: string, leaseMs: number, transition: Transition, resumeAt?: ResumePoint): unknown[] {
  const done = transition.step === 'done';
  const waits = transition.retryAt !== null || done;
  const step = resumeAt?.step ?? transition.step;
  return [orderId, leaseMs, owner, step, transition.attempts, transition.cancelReason, transition.lastError, resumeAt?.at ?? transition.retryAt, waits, done];
}

/** Record a transition (in the caller's transaction with the events). False when the lease is lost. */
export async function saveTransition(
  db: Db,
  orderId: string,
  owner: string,
  leaseMs: number,
  transition: Transition,
  resumeAt?: ResumePoint,
): Promise<boolean> {
  const { rowCount } = await db.query(transitionUpdate(0), transitionParams(orderId, owner, leaseMs, transition, resumeAt));
  return rowCount === 1;
}

/** Give the saga back (shutdown, an interrupted run): it is due again at its recorded next attempt. */
export async function releaseLease(db: Db, orderId: string, owner: string): Promise<void> {
  await db.query('UPDATE sagas SET lease_owner = NULL, lease_until = NULL WHERE order_id = $1 AND lease_owner = $2', [orderId, owner]);
}

export interface OpenSaga {
  orderId: string;
  step: SagaStep;
  attempts: number;
  cancelReason: CancelReason | null;
  lastError: string | null;
  startedAt: string;
  nextAttemptAt: string;
  ageSec: number;
  leased: boolean;
}

/** Sagas not yet done and older than `olderThanSec`, oldest first (the audit's view of stuck checkouts). */
export async function listOpenSagas(db: Db, olderThanSec: number, limit: number): Promise<OpenSaga[]> {
  const { rows } = await db.query<Omit<OpenSaga, 'startedAt' | 'nextAttemptAt'> & { startedAt: Date; nextAttemptAt: Date }>(
    `SELECT order_id AS "orderId", step, attempts, cancel_reason AS "cancelReason", last_error AS "lastError", started_at AS "startedAt",
       next_attempt_at AS "nextAttemptAt", extract(epoch FROM now() - started_at)::float8 AS "ageSec", coalesce(lease_until > now(), false) AS leased
     FROM sagas WHERE step <> 'done' AND started_at <= now() - $1 * interval '1 second'
     ORDER BY started_at LIMIT $2`,
    [olderThanSec, limit],
  );
  return rows.map((row) => ({ ...row, startedAt: row.startedAt.toISOString(), nextAttemptAt: row.nextAttemptAt.toISOString() }));
}

/** How many sagas are not done, and when the oldest of them started (epoch seconds; null when none is open). */
export async function openSagas(db: Db): Promise<{ count: number; oldestStartedAt: number | null }> {
  const { rows } = await db.query<{ n: number; oldest: number | null }>(
    `SELECT count(*)::int AS n, extract(epoch FROM min(started_at))::float8 AS oldest FROM sagas WHERE step <> 'done'`,
  );
  return { count: rows[0]?.n ?? 0, oldestStartedAt: rows[0]?.oldest ?? null };
}

/** A run failed unexpectedly: note why, give the saga back and try again at `at`. */
export async function deferSaga(db: Db, orderId: string, owner: string, error: string, at: Date): Promise<void> {
  await db.query(
    'UPDATE sagas SET last_error = $3, next_attempt_at = $4, lease_owner = NULL, lease_until = NULL, updated_at = now() WHERE order_id = $1 AND lease_owner = $2',
    [orderId, owner, error.slice(0, 500), at],
  );
}
