import type pg from 'pg';
import type { Migration } from './migrations.js';

/** The consumer side of exactly-once effects: message ids a consumer has already processed. */
export const processedMessagesMigration: Migration = {
  name: 'platform_002_processed_messages',
  sql: `CREATE TABLE processed_messages (
  consumer     text        NOT NULL,
  message_id   text        NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, message_id)
);
`,
};

/** Whether `consumer` already processed `messageId` (read outside a transaction, before slow work). */
export async function wasProcessed(db: pg.Pool | pg.ClientBase, consumer: string, messageId: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2', [consumer, messageId]);
  return (rowCount ?? 0) > 0;
}

/**
 * Record that `consumer` processes `messageId`, inside the caller's transaction. False when it
 * was already recorded: the message is a duplicate and its effects are already committed. A
 * concurrent duplicate waits on the first one's row lock, so it also sees false once that commits.
 */
export async function claimMessage(tx: pg.ClientBase, consumer: string, messageId: string): Promise<boolean> {
  const { rowCount } = await tx.query('INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [consumer, messageId]);
  return rowCount === 1;
}
