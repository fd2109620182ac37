import type { Channel } from 'amqplib';

/** The one topic exchange every service publishes to. */
export const DEFAULT_EXCHANGE = 'faultline.events';

/** Growing delays between attempts of a failing handler; after the last one the message is dead-lettered. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30_000];

/** A consumer's durable work queue: `<service>.<purpose>`, e.g. `notification.order-events`. */
export const queueName = (service: string, purpose: string) => `${service}.${purpose}`;
/** The delay queue for one step of the retry schedule: `<queue>.retry.<ms>ms`. */
export const retryQueueName = (queue: string, delayMs: number) => `${queue}.retry.${delayMs}ms`;
/** The final resting place of messages that cannot be processed: `<queue>.dlq`. */
export const deadLetterQueueName = (queue: string) => `${queue}.dlq`;

export interface ConsumerTopology {
  exchange: string;
  queue: string;
  /** Routing-key patterns the queue is bound with (`order.confirmed`, `payment.*`). */
  bindings: readonly string[];
  retryDelaysMs: readonly number[];
}

/** Declare the topic exchange (idempotent). */
export async function declareExchange(channel: Channel, exchange: string): Promise<void> {
  await channel.assertExchange(exchange, 'topic', { durable: true });
}

/**
 * Declare a consumer's exchange, work queue, bindings, one retry queue per delay step and its
 * dead-letter queue (all idempotent, so it is re-run after every reconnect).
 *
 * Each retry queue has a fixed message TTL and dead-letters into the default exchange with the
 * work queue's name as routing key: an expired message goes back to this consumer only, not
 * to every queue bound to the topic exchange. One queue per step, rather than one queue with
 * per-message expiration, because RabbitMQ only expires messages at the head of a queue — a
 * 30 s message would hold back a 1 s one queued behind it.
 *
 * The work queue itself dead-letters rejected messages into `<queue>.dlq` as a safety net;
 * the consumer normally routes there itself, adding a header that says why.
 */
export async function declareConsumerTopology(channel: Channel, topology: ConsumerTopology): Promise<void> {
  const { exchange, queue, bindings, retryDelaysMs } = topology;
  const dlq = deadLetterQueueName(queue);
  await declareExchange(channel, exchange);
  await channel.assertQueue(dlq, { durable: true });
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dlq } });
  for (const pattern of bindings) await channel.bindQueue(queue, exchange, pattern);
  for (const delayMs of new Set(retryDelaysMs)) {
    await channel.assertQueue(retryQueueName(queue, delayMs), {
      durable: true,
      arguments: { 'x-message-ttl': delayMs, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
    });
  }
}
