import type pg from 'pg';
import { type Knockout, knockedOut } from '../knockout.js';
import type { Logger } from '../logging.js';
import type { Envelope } from '../messaging/envelope.js';
import { messagingMetrics } from '../messaging/metrics.js';
import type { OutgoingMessage, Publisher, PublishOutcome } from '../messaging/publisher.js';
import { extractTraceContext, type MessageHeaders } from '../messaging/trace-headers.js';
import type { prom } from '../metrics.js';
import { createPoller } from '../poller.js';
import { OUTBOX_CHANNEL } from './outbox.js';
import { withTransaction } from './transaction.js';

export interface OutboxRelayOptions {
  pool: pg.Pool;
  publisher: Publisher;
  logger: Logger;
  /** Receives `outbox_relayed_total`, `outbox_pending_events` and `outbox_oldest_pending_seconds`. */
  registry?: prom.Registry<prom.OpenMetricsContentType>;
  /** Events claimed, published and marked per batch, in one transaction (default 500). */
  batchSize?: number;
  /**
   * Publish a batch without waiting between messages, then await all confirms (default true), with
   * {@link lanes} batches under way at once; false = one batch, one publish and confirm at a time.
   */
  pipelined?: boolean;
  /**
   * Batches relayed at once when pipelined and behind (the last round's batch was full), each in its
   * own transaction (default 2): one publishes while another reads or commits.
   */
  lanes?: number;
  /** Look for events at least this often (default 1000 ms); a commit also wakes the relay through LISTEN/NOTIFY. */
  pollIntervalMs?: number;
  /** Delete sent events older than this (default one day). */
  retainSentMs?: number;
  /** The service's `FAULTLINE_KNOCKOUT`: `outbox:relay` sends each event at most once and drops what the broker did not confirm. */
  knockout?: Knockout | undefined;
}

/** Moves committed outbox events to the broker. */
export interface OutboxRelay {
  /** Start relaying in the background. */
  start(): void;
  /** Finish the current round and stop. */
  stop(): Promise<void>;
  /** Relay rounds until none is pending (or the broker refuses); resolves with the count confirmed. For tests and benchmarks. */
  drain(): Promise<number>;
}

interface Row {
  id: string;
  envelope: Envelope;
  headers: MessageHeaders;
}

const STATS_INTERVAL_MS = 1000;
const PURGE_INTERVAL_MS = 60_000;

/**
 * The outbox relay: claims pending events with `FOR UPDATE SKIP LOCKED` (so several instances
 * share the work without double-sending), publishes them with publisher confirms and marks
 * them sent in the same transaction, only after their confirm. An unconfirmed event stays
 * pending and is retried with backoff — while the broker is down nothing is lost, and it is
 * delivered when the broker returns. A crash between confirm and commit re-sends: delivery is
 * at-least-once and consumers deduplicate by message id. Order is not guaranteed.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { pool, publisher, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const pipelined = options.pipelined ?? true;
  const lanes = pipelined ? (options.lanes ?? 2) : 1;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const retainSentMs = options.retainSentMs ?? 86_400_000;
  const metrics = options.registry ? messagingMetrics(options.registry) : undefined;
  let listener: pg.PoolClient | undefined;
  let awaitingPublisher = false;
  let statsAt = 0;
  let purgedAt = Date.now();
  const atMostOnce = knockedOut(options.knockout, 'outbox', 'relay');

  async function publishAll(messages: OutgoingMessage[]): Promise<PublishOutcome[]> {
    if (pipelined) return publisher.publishBatch(messages);
    const outcomes: PublishOutcome[] = [];
    for (const message of messages) {
      const { id } = message.envelope;
      try {
        await publisher.publish(message);
        outcomes.push({ id, ok: true });
      } catch (error) {
        outcomes.push({ id, ok: false, error: error as Error });
        break; // the rest would fail the same way; they stay pending
      }
    }
    return outcomes;
  }

  /**
   * One batch: claim, publish, mark. Resolves with counts of confirmed and failed events. Its commit
   * does not wait for the WAL flush: were PostgreSQL to crash before it, the marks would be lost and
   * the events sent again — the at-least-once a crash between confirm and commit already means.
   */
  const relayBatch = () =>
    withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<Row>(
        'SELECT id, envelope, headers FROM outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED',
        [batchSize],
      );
      if (rows.length === 0) return { sent: 0, failed: 0, full: false };
      await tx.query('SET LOCAL synchronous_commit = off');
      const outcomes = await publishAll(rows.map((row) => ({ envelope: row.envelope, parent: extractTraceContext(row.headers) })));
      // Knocked out: fire and forget, as code that publishes outside the transaction would; what was not confirmed is lost.
      const sent = (atMostOnce ? rows : outcomes.filter((o) => o.ok)).map((o) => o.id);
      const failed = atMostOnce ? [] : outcomes.filter((o) => !o.ok);
      const lost = atMostOnce ? outcomes.filter((o) => !o.ok).length + rows.length - outcomes.length : 0;
      if (lost > 0) {
        logger.warn('outbox events dropped (outbox knocked out)', { count: lost });
        metrics?.outboxRelayed.inc({ outcome: 'dropped' }, lost);
      }
      if (sent.length > 0) await tx.query('UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)', [sent]);
      if (failed[0] && !failed[0].ok)
        await tx.query('UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1)', [failed.map((o) => o.id), failed[0].error.message]);
      metrics?.outboxRelayed.inc({ outcome: 'confirmed' }, sent.length - lost);
      if (failed.length > 0) metrics?.outboxRelayed.inc({ outcome: 'failed' }, failed.length);
      return { sent: sent.length, failed: atMostOnce ? 0 : failed.length + rows.length - outcomes.length, full: rows.length === batchSize };
    });

  // A relay that starts may be behind (the service was down): the first round tries every lane.
  let backlog = true;
  /**
   * One round: one batch, or {@link lanes} at once while the last round found a full batch (a
   * backlog; FOR UPDATE SKIP LOCKED keeps them apart), so that a round of a few events costs one
   * transaction, not one per lane. Resolves with the sums of their counts.
   */
  async function relayRound(): Promise<{ sent: number; failed: number }> {
    const results = await Promise.allSettled(Array.from({ length: backlog ? lanes : 1 }, relayBatch));
    const total = { sent: 0, failed: 0 };
    backlog = false;
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
      total.sent += result.value.sent;
      total.failed += result.value.failed;
      backlog ||= result.value.full && result.value.failed === 0;
    }
    return total;
  }

  async function housekeeping(): Promise<void> {
    const now = Date.now();
    if (metrics && now - statsAt >= STATS_INTERVAL_MS) {
      statsAt = now;
      const { rows } = await pool.query<{ pending: number; oldest: number | null }>(
        'SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS oldest FROM outbox WHERE sent_at IS NULL',
      );
      metrics.outboxPending.set(rows[0]?.pending ?? 0);
      metrics.outboxOldestPendingSeconds.set(Math.max(0, rows[0]?.oldest ?? 0));
    }
    if (now - purgedAt >= PURGE_INTERVAL_MS) {
      purgedAt = now;
      await pool.query("DELETE FROM outbox WHERE sent_at < now() - $1 * interval '1 millisecond'", [retainSentMs]);
    }
  }

  async function listen(): Promise<void> {
    if (listener) return;
    const client = await pool.connect();
    client.on('notification', () => poller.wake());
    client.on('error', (error) => {
      logger.warn('outbox listener failed; polling until it is back', { error });
      if (listener === client) listener = undefined;
      client.release(error);
    });
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    listener = client;
  }

  let failures = 0;
  /** The rest before the next round, doubling while rounds fail; a publisher becoming ready cuts it short. */
  function restMs(): number {
    if (!publisher.ready && !awaitingPublisher) {
      awaitingPublisher = true;
      void publisher.waitUntilReady().then(() => {
        awaitingPublisher = false;
        poller.wake();
      });
    }
    return failures > 0 ? Math.min(pollIntervalMs * 2 ** (failures - 1), 30_000) : pollIntervalMs;
  }

  const poller = createPoller({
    round: async () => {
      await listen().catch((error: Error) => logger.warn('outbox listener unavailable; polling', { error }));
      const result = publisher.ready || atMostOnce ? await relayRound() : { sent: 0, failed: 0 };
      await housekeeping();
      failures = result.failed > 0 ? failures + 1 : 0;
      if (result.failed > 0) logger.warn('outbox events not confirmed; they stay pending', { count: result.failed });
      // A full batch may have left more behind: go again at once. A partial one took everything
      // committed so far; what commits later wakes the relay through its NOTIFY (also when it comes
      // during this round), so no empty round (BEGIN, SELECT, COMMIT) follows every batch. Without
      // the listener, nothing would wake it: look again at once as long as rounds find events.
      const more = result.sent > 0 && failures === 0 && (result.sent >= batchSize || listener === undefined);
      return more ? 0 : restMs();
    },
    onError: (error) => {
      failures += 1;
      logger.warn('outbox relay round failed', { error });
      return restMs();
    },
  });

  return {
    start() {
      if (!poller.running) failures = 0;
      poller.start();
    },
    async stop() {
      await poller.stop();
      // Destroyed rather than returned: a pooled client must not keep listening.
      listener?.release(true);
      listener = undefined;
    },
    async drain() {
      let total = 0;
      for (;;) {
        const { sent, failed } = await relayRound();
        total += sent;
        if (sent === 0 || failed > 0) return total;
      }
    },
  };
}
