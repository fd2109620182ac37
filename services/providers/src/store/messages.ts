import { randomUUID } from 'node:crypto';
import type { ProviderMessageRequest } from '@faultline/contracts';
import type { DbPool } from '@faultline/platform';

export interface StoredMessage extends ProviderMessageRequest {
  messageId: string;
  createdAt: string;
}

interface MessageRow {
  message_id: string;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string | null;
  body: string;
  reference: string;
  created_at: Date;
}

const toMessage = (row: MessageRow): StoredMessage => ({
  messageId: row.message_id,
  channel: row.channel,
  to: row.recipient,
  ...(row.subject === null ? {} : { subject: row.subject }),
  body: row.body,
  reference: row.reference,
  createdAt: row.created_at.toISOString(),
});

/** Store a message unless one with the same reference, recipient and channel exists; either way return its id. */
export async function insertMessage(pool: DbPool, message: ProviderMessageRequest): Promise<{ messageId: string; duplicate: boolean }> {
  const { rows } = await pool.query<{ message_id: string; inserted: boolean }>(
    `WITH inserted AS (
       INSERT INTO messages (message_id, channel, recipient, subject, body, reference) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (reference, recipient, channel) DO NOTHING RETURNING message_id
     )
     SELECT message_id, true AS inserted FROM inserted
     UNION ALL
     SELECT message_id, false FROM messages WHERE reference = $6 AND recipient = $3 AND channel = $2`,
    [`msg_${randomUUID().replaceAll('-', '')}`, message.channel, message.to, message.subject ?? null, message.body, message.reference],
  );
  const row = rows.find((r) => r.inserted) ?? rows[0];
  if (row) return { messageId: row.message_id, duplicate: !row.inserted };
  // The conflicting row was committed after this statement's snapshot: read it now.
  const again = await pool.query<{ message_id: string }>('SELECT message_id FROM messages WHERE reference = $1 AND recipient = $2 AND channel = $3', [
    message.reference,
    message.to,
    message.channel,
  ]);
  return { messageId: (again.rows[0] as { message_id: string }).message_id, duplicate: true };
}

/** Messages, newest first, filtered by recipient and/or reference. */
export async function listMessages(pool: DbPool, filter: { to?: string | undefined; reference?: string | undefined; limit: number }): Promise<StoredMessage[]> {
  const { rows } = await pool.query<MessageRow>(
    `SELECT * FROM messages WHERE ($1::text IS NULL OR recipient = $1) AND ($2::text IS NULL OR reference = $2)
     ORDER BY created_at DESC, message_id LIMIT $3`,
    [filter.to ?? null, filter.reference ?? null, filter.limit],
  );
  return rows.map(toMessage);
}
