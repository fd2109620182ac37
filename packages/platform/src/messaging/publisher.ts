import { type Context, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ConfirmChannel } from 'amqplib';
import { errors } from '../errors.js';
import type { Logger } from '../logging.js';
import type { prom } from '../metrics.js';
import type { Broker, ManagedChannel } from './connection.js';
import type { Envelope } from './envelope.js';
import { messagingMetrics } from './metrics.js';
import { DEFAULT_EXCHANGE, declareExchange } from './topology.js';
import { injectTraceHeaders } from './trace-headers.js';

export interface PublisherOptions {
  logger: Logger;
  /** Where messages go (default {@link DEFAULT_EXCHANGE}); declared on every (re)connect. */
  exchange?: string;
  /** Receives `messaging_published_total`. */
  registry?: prom.Registry<prom.OpenMetricsContentType>;
  /** A publish whose confirm has not arrived after this many ms fails (default 10 000). */
  confirmTimeoutMs?: number;
}

/** One message to publish. */
export interface OutgoingMessage {
  envelope: Envelope;
  /** Parent of the publish span (default: the active context), e.g. the request that wrote an outbox row. */
  parent?: Context;
  /** Extra AMQP headers. Trace headers are replaced by the publish span's. */
  headers?: Record<string, string>;
}

/** The result of one message of a batch. */
export type PublishOutcome = { id: string; ok: true } | { id: string; ok: false; error: Error };

/** Publishes envelopes to the topic exchange with publisher confirms. */
export interface Publisher {
  /** True while the confirm channel is open. */
  readonly ready: boolean;
  /** Resolves once the confirm channel is open. */
  waitUntilReady(): Promise<void>;
  /** Publish one message and resolve when the broker has confirmed it; rejects at once while disconnected. */
  publish(message: OutgoingMessage): Promise<void>;
  /** Publish many messages without waiting between them, then wait for all confirms; never rejects. */
  publishBatch(messages: readonly OutgoingMessage[]): Promise<PublishOutcome[]>;
  close(): Promise<void>;
}

// Looked up per span, not cached, so a tracer provider registered or replaced later is used.
const tracer = () => trace.getTracer('@faultline/platform');

/** Resolves when the channel's write buffer has drained, or the channel is gone. */
function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.once('drain', done);
    channel.once('close', done);
  });
}

/**
 * Persistent JSON messages (`messageId` = envelope id, `type` = routing key = envelope type,
 * timestamp) on a {@link ConfirmChannel}, each in a `PRODUCER` span `<routing key> publish`
 * whose context travels in the W3C trace headers.
 */
export function createPublisher(broker: Broker, options: PublisherOptions): Publisher {
  const exchange = options.exchange ?? DEFAULT_EXCHANGE;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000;
  const metrics = options.registry ? messagingMetrics(options.registry) : undefined;
  const managed: ManagedChannel<ConfirmChannel> = broker.confirmChannel({
    name: `publisher ${exchange}`,
    setup: (channel) => declareExchange(channel, exchange),
  });

  /** Hand one message to the channel; the returned promise settles with its confirm. */
  function send(channel: ConfirmChannel | undefined, message: OutgoingMessage): { confirmed: Promise<void>; full: boolean } {
    const { envelope } = message;
    const parent = message.parent ?? context.active();
    const span = tracer().startSpan(
      `${envelope.type} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'send',
          'messaging.destination.name': exchange,
          'messaging.rabbitmq.destination.routing_key': envelope.type,
          'messaging.message.id': envelope.id,
        },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    let full = false;
    const confirmed = new Promise<void>((resolve, reject) => {
      if (!channel) throw errors.unavailable('the message broker is not connected');
      const timer = setTimeout(() => reject(errors.dependencyTimeout('rabbitmq', confirmTimeoutMs)), confirmTimeoutMs);
      const headers = injectTraceHeaders({ ...message.headers }, spanContext);
      const content = Buffer.from(JSON.stringify(envelope));
      const publishOptions = {
        messageId: envelope.id,
        type: envelope.type,
        timestamp: Math.floor(Date.now() / 1000),
        contentType: 'application/json',
        persistent: true,
        headers,
      };
      // Publishing inside the span's context parents the amqplib auto-instrumentation's span on ours.
      full = !context.with(spanContext, () =>
        channel.publish(exchange, envelope.type, content, publishOptions, (error) => {
          clearTimeout(timer);
          if (error) reject(error instanceof Error ? error : errors.dependencyFailed('rabbitmq', `publish nacked: ${String(error)}`));
          else resolve();
        }),
      );
    });
    const settled = confirmed.then(
      () => {
        span.end();
        metrics?.published.inc({ exchange, routing_key: envelope.type, outcome: 'confirmed' });
      },
      (error: Error) => {
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        span.end();
        metrics?.published.inc({ exchange, routing_key: envelope.type, outcome: 'failed' });
        options.logger.debug('publish not confirmed', { exchange, routingKey: envelope.type, messageId: envelope.id, error });
        throw error;
      },
    );
    return { confirmed: settled, full };
  }

  return {
    get ready() {
      return managed.current !== undefined;
    },
    async waitUntilReady() {
      await managed.ready();
    },
    publish: (message) => send(managed.current, message).confirmed,
    async publishBatch(messages) {
      const channel = managed.current;
      const pending: Promise<PublishOutcome>[] = [];
      for (const message of messages) {
        const { id } = message.envelope;
        const { confirmed, full } = send(channel, message);
        pending.push(
          confirmed.then(
            (): PublishOutcome => ({ id, ok: true }),
            (error: Error): PublishOutcome => ({ id, ok: false, error }),
          ),
        );
        if (full && channel) await drained(channel);
      }
      return Promise.all(pending);
    },
    close: () => managed.close(),
  };
}
