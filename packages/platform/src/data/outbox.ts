import type pg from 'pg';
import { type Envelope, ROUTING_KEY } from '../messaging/envelope.js';
import { injectTraceHeaders } from '../messaging/trace-headers.js';
import type { Migration } from './migrations.js';

/** The NOTIFY channel the outbox trigger signals on commit; the relay LISTENs to it. */
export const OUTBOX_CHANNEL = 'outbox';

/**
 * The outbox table. `headers` keeps the trace context of the transaction that wrote the event,
 * so the relay's publish span joins the request's trace. The statement-level trigger wakes the
 * relay when an inserting transaction commits (NOTIFY is transactional and deduplicated).
 */
export const outboxMigration: Migration = {
  name: 'platform_001_outbox',
  sql: `CREATE TABLE outbox (
  id          text        PRIMARY KEY,
  routing_key text        NOT NULL,
  envelope    jsonb       NOT NULL,
  headers     jsonb       NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at     timestamptz,
  attempts    integer     NOT NULL DEFAULT 0,
  last_error  text
);
CREATE INDEX outbox_pending_idx ON outbox (created_at) WHERE sent_at IS NULL;
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${OUTBOX_CHANNEL}', '');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
`,
};

/** The admin route lists events by when they were written: an index, so it reads a range, not the table. */
export const outboxCreatedIndexMigration: Migration = {
  name: 'platform_003_outbox_created_idx',
  sql: 'CREATE INDEX outbox_created_idx ON outbox (created_at);',
};

/**
 * Write `envelope` to the outbox inside the caller's transaction (`client` must be in one):
 * the event is published by the relay if and only if that transaction commits. The active
 * trace context is stored with it. Enqueuing the same envelope id twice fails (primary key).
 */
export async function enqueueEvent(client: pg.ClientBase, envelope: Envelope): Promise<void> {
  if (!ROUTING_KEY.test(envelope.type)) throw new TypeError(`routing key must be <aggregate>.<past-tense-verb>: ${envelope.type}`);
  await client.query('INSERT INTO outbox (id, routing_key, envelope, headers) VALUES ($1, $2, $3, $4)', [
    envelope.id,
    envelope.type,
    JSON.stringify(envelope),
    JSON.stringify(injectTraceHeaders({})),
  ]);
}
