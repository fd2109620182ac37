import type { DbClient, DbPool } from '@faultline/platform';
import type { Channel } from '../templates.js';

type Queryable = DbClient | DbPool;

/** One message as it is stored and shown in the history. */
export interface NotificationRecord {
  id: string;
  userId: string;
  eventId: string;
  template: string;
  channel: Channel;
  to: string;
  subject: string | null;
  body: string;
  status: 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

/** What an attempt writes: the message and who it is for. */
export interface Attempt {
  userId: string;
  eventId: string;
  template: string;
  channel: Channel;
  to: string;
  subject: string;
  body: string;
}

const COLUMNS = `id, user_id AS "userId", event_id AS "eventId", template, channel, recipient AS "to", subject, body, status, attempts,
  last_error AS "lastError", to_json(sent_at) #>> '{}' AS "sentAt", to_json(created_at) #>> '{}' AS "createdAt"`;

const UPSERT = `INSERT INTO notifications (user_id, event_id, template, channel, recipient, subject, body, status, last_error, sent_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $8 = 'sent' THEN now() END)
  ON CONFLICT (event_id) DO UPDATE SET attempts = notifications.attempts + 1, status = EXCLUDED.status,
    last_error = EXCLUDED.last_error, sent_at = EXCLUDED.sent_at`;

const values = (a: Attempt) => [a.userId, a.eventId, a.template, a.channel, a.to, a.subject, a.body];

/** Record a delivered message; run in the handler's transaction so it commits with the processed message id. */
export async function recordSent(tx: DbClient, attempt: Attempt): Promise<void> {
  await tx.query(UPSERT, [...values(attempt), 'sent', null]);
}

/**
 * Record a failed attempt. Run on the pool, not in the handler's transaction: that one rolls back
 * so the message is retried, and the failure must stay visible. A row already 'sent' is left alone.
 */
export async function recordFailed(pool: DbPool, attempt: Attempt, error: string): Promise<void> {
  await pool.query(`${UPSERT} WHERE notifications.status <> 'sent'`, [...values(attempt), 'failed', error]);
}

/** A page of one user's history, newest first. */
export async function listByUser(db: Queryable, userId: string, limit: number, offset: number): Promise<{ items: NotificationRecord[]; total: number }> {
  const [page, count] = await Promise.all([
    db.query<NotificationRecord>(`SELECT ${COLUMNS} FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`, [
      userId,
      limit,
      offset,
    ]),
    db.query<{ total: number }>('SELECT count(*)::int AS total FROM notifications WHERE user_id = $1', [userId]),
  ]);
  return { items: page.rows, total: count.rows[0]?.total ?? 0 };
}
