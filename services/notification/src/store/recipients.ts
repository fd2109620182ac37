import type { DbClient, DbPool } from '@faultline/platform';
import type { Recipient } from '../templates.js';

type Queryable = DbClient | DbPool;

/** Remember (or update) who a user is, from `user.registered`. */
export async function saveRecipient(db: Queryable, recipient: Recipient): Promise<void> {
  await db.query(
    `INSERT INTO recipients (user_id, email, name) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name`,
    [recipient.userId, recipient.email, recipient.name],
  );
}

export async function findRecipient(db: Queryable, userId: string): Promise<Recipient | undefined> {
  const { rows } = await db.query<{ user_id: string; email: string; name: string }>('SELECT user_id, email, name FROM recipients WHERE user_id = $1', [userId]);
  const row = rows[0];
  return row && { userId: row.user_id, email: row.email, name: row.name };
}
