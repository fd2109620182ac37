import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type pg from 'pg';
import { claimMessage, wasProcessed } from '../data/processed-messages.js';
import { withTransaction } from '../data/transaction.js';
import { type Knockout, knockedOut } from '../knockout.js';
import type { Logger } from '../logging.js';
import type { prom } from '../metrics.js';
import { redactText } from '../redact.js';
import type { Broker, ManagedChannel } from './connection.js';
import { type DeadLetterReason, decode, type MessageHandler } from './handlers.js';
import { messagingMetrics } from './metrics.js';
import { DEFAULT_EXCHANGE, DEFAULT_RETRY_DELAYS_MS, deadLetterQueueName, declareConsumerTopology, queueName, retryQueueName } from './topology.js';
import { extractTraceContext } from './trace-headers.js';

export interface ConsumerOptions {
  /** The consuming service; with `purpose` it names the queue `<service>.<purpose>`. */
  service: string;
  purpose: string;
  /** Handlers by routing key (topic patterns such as `payment.*` are allowed); the queue is bound to each key. */
  handlers: Readonly<Record<string, MessageHandler<unknown>>>;
  /** The consumer's own database: handlers run in its transactions, processed ids are recorded in it. */
  pool: pg.Pool;
  logger: Logger;
  /** Receives `messaging_consumed_total` and `messaging_handler_seconds`. */
  registry?: prom.Registry<prom.OpenMetricsContentType>;
  /** Default {@link DEFAULT_EXCHANGE}. */
  exchange?: string;
  /** Unacknowledged messages in flight (default 10); they are handled concurrently, each holding a pool connection. */
  prefetch?: number;
  /** Delay before each retry of a failing handler (default {@link DEFAULT_RETRY_DELAYS_MS}); then the DLQ. */
  retryDelaysMs?: readonly number[];
  /** The service's `FAULTLINE_KNOCKOUT`: `dead-letter:<purpose>` drops what would be dead-lettered, `idempotency:<purpose>` handles repeats again. */
  knockout?: Knockout | undefined;
}

/** A started consumer; {@link stop} lets in-flight messages finish. */
export interface Consumer {
  readonly queue: string;
  /** True while subscribed (for the readiness check). */
  readonly active: boolean;
  /** Declare the topology and start consuming; resolves once the first subscription is active. */
  start(): Promise<void>;
  /** Stop taking messages, wait for those in flight, close the channel. */
  stop(): Promise<void>;
}

const OUTCOMES = ['acked', 'retried', 'dead_lettered', 'duplicate', 'poison', 'dropped'] as const;
type Outcome = (typeof OUTCOMES)[number];

// Looked up per span, not cached, so a tracer provider registered or replaced later is used.
const tracer = () => trace.getTracer('@faultline/platform');
const RETRY_COUNT = 'x-retry-count';

/**
 * Consume a durable queue with validation, idempotency, delayed retries and dead-lettering:
 * - poison (not JSON, bad envelope, payload failing its schema, no handler) → `<queue>.dlq` at once;
 * - a message id already recorded in `processed_messages` → acked without calling the handler;
 * - a handler error → `<queue>.retry.<ms>ms` per step of the schedule, then `<queue>.dlq`.
 * Messages forwarded to a retry or dead-letter queue are acked only after the broker confirmed
 * the copy, so nothing is lost. Each delivery is a `CONSUMER` span `<queue> process`, child of
 * the producer's span carried in the headers. Topology and subscription are re-established
 * after every reconnect.
 */
export function createConsumer(broker: Broker, options: ConsumerOptions): Consumer {
  const { pool, logger, handlers } = options;
  const queue = queueName(options.service, options.purpose);
  const exchange = options.exchange ?? DEFAULT_EXCHANGE;
  const retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const metrics = options.registry ? messagingMetrics(options.registry) : undefined;
  const inFlight = new Set<Promise<void>>();
  const consumerTags = new WeakMap<ConfirmChannel, string>();
  let managed: ManagedChannel<ConfirmChannel> | undefined;
  let stopping = false;
  const dropInsteadOfDeadLetter = knockedOut(options.knockout, 'dead-letter', options.purpose);
  const noDedupe = knockedOut(options.knockout, 'idempotency', options.purpose);
  // Every outcome exported at 0 from the start: "no duplicate yet" is a 0 in increase(), not an absent series.
  for (const outcome of OUTCOMES) metrics?.consumed.inc({ queue, outcome }, 0);

  /** Send a copy of `message` to `target` (default exchange) and resolve on its confirm. */
  const forward = (channel: ConfirmChannel, message: ConsumeMessage, target: string, headers: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const { 'x-death': _death, ...kept } = message.properties.headers ?? {};
      const { messageId, timestamp, type, contentType, contentEncoding, correlationId, appId } = message.properties;
      const original = { 'x-original-exchange': message.fields.exchange, 'x-original-routing-key': message.fields.routingKey };
      const properties = { messageId, timestamp, type, contentType, contentEncoding, correlationId, appId, persistent: true };
      channel.sendToQueue(target, message.content, { ...properties, headers: { ...original, ...kept, ...headers } }, (error) =>
        error ? reject(error) : resolve(),
      );
    });

  /** To `<queue>.dlq` with the reason; with dead-lettering knocked out, dropped (acked, gone). */
  const deadLetter = async (channel: ConfirmChannel, message: ConsumeMessage, reason: DeadLetterReason, detail: string): Promise<'dropped' | undefined> => {
    if (dropInsteadOfDeadLetter) {
      logger.warn('message dropped (dead-lettering knocked out)', { queue, messageId: message.properties.messageId, reason });
      return 'dropped';
    }
    await forward(channel, message, deadLetterQueueName(queue), {
      'x-dead-letter-reason': reason,
      'x-dead-letter-detail': redactText(detail).slice(0, 1000),
    });
    return undefined;
  };

  async function processMessage(channel: ConfirmChannel, message: ConsumeMessage, span: Span): Promise<Outcome> {
    const decoded = decode(message, handlers);
    if (!decoded.ok) {
      logger.warn('poison message dead-lettered', { queue, messageId: message.properties.messageId, reason: decoded.reason, detail: decoded.detail });
      span.setAttribute('app.messaging.dead_letter_reason', decoded.reason);
      return (await deadLetter(channel, message, decoded.reason, decoded.detail)) ?? 'poison';
    }
    const { messageId, envelope, handler } = decoded;
    span.setAttribute('messaging.message.id', messageId);
    try {
      // The slow part first, with no connection held; a message already processed skips it.
      let prepared: unknown;
      if (handler.prepare) {
        if (!noDedupe && (await wasProcessed(pool, queue, messageId))) return 'duplicate';
        prepared = await handler.prepare(envelope);
      }
      const fresh = await withTransaction(pool, async (tx) => {
        if (!(await claimMessage(tx, queue, messageId)) && !noDedupe) return false;
        await handler.handle(envelope, tx, prepared);
        return true;
      });
      return fresh ? 'acked' : 'duplicate';
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      const attempt = Number(message.properties.headers?.[RETRY_COUNT] ?? 0);
      const delayMs = retryDelaysMs[attempt];
      const lastError = redactText(String((error as Error).message)).slice(0, 1000);
      if (delayMs === undefined) {
        logger.error('message dead-lettered after retries', { queue, messageId, attempts: attempt + 1, error });
        return (await deadLetter(channel, message, 'retries-exhausted', lastError)) ?? 'dead_lettered';
      }
      logger.warn('message handler failed, retrying later', { queue, messageId, attempt: attempt + 1, delayMs, error });
      await forward(channel, message, retryQueueName(queue, delayMs), { [RETRY_COUNT]: attempt + 1, 'x-last-error': lastError });
      return 'retried';
    }
  }

  async function onMessage(channel: ConfirmChannel, message: ConsumeMessage): Promise<void> {
    const started = performance.now();
    const parent = extractTraceContext(message.properties.headers);
    const span = tracer().startSpan(
      `${queue} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'process',
          'messaging.destination.name': queue,
          'messaging.rabbitmq.destination.routing_key': message.fields.routingKey,
          'messaging.message.id': message.properties.messageId ?? '',
        },
      },
      parent,
    );
    try {
      const outcome = await context.with(trace.setSpan(parent, span), () => processMessage(channel, message, span));
      channel.ack(message);
      metrics?.consumed.inc({ queue, outcome });
    } catch (error) {
      // Forwarding failed or the channel is gone: the broker redelivers, idempotency absorbs repeats.
      logger.warn('message left unacknowledged', { queue, messageId: message.properties.messageId, error });
      try {
        channel.nack(message, false, true);
      } catch {}
    } finally {
      span.end();
      metrics?.handlerSeconds.observe({ queue }, (performance.now() - started) / 1000);
    }
  }

  async function setup(channel: ConfirmChannel): Promise<void> {
    await declareConsumerTopology(channel, { exchange, queue, bindings: Object.keys(handlers), retryDelaysMs });
    await channel.prefetch(options.prefetch ?? 10);
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (message === null) {
        // Cancelled by the broker (queue deleted): closing the channel makes it reopen and re-declare.
        logger.warn('consumer cancelled by the broker', { queue });
        void channel.close().catch(() => {});
        return;
      }
      const handling = onMessage(channel, message);
      inFlight.add(handling);
      void handling.finally(() => inFlight.delete(handling));
    });
    consumerTags.set(channel, consumerTag);
  }

  return {
    queue,
    get active() {
      return managed?.current !== undefined && !stopping;
    },
    async start() {
      if (managed) return;
      managed = broker.confirmChannel({ name: `consumer ${queue}`, setup });
      await managed.ready();
      logger.info('consumer started', { queue, bindings: Object.keys(handlers) });
    },
    async stop() {
      if (!managed || stopping) return;
      stopping = true;
      const channel = managed.current;
      const tag = channel && consumerTags.get(channel);
      if (channel && tag) await channel.cancel(tag).catch(() => {});
      await Promise.allSettled([...inFlight]);
      await managed.close();
      logger.info('consumer stopped', { queue });
    },
  };
}
