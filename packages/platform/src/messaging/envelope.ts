import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/** `<aggregate>.<past-tense-verb>`, e.g. `order.confirmed`, `payment.refunded`. */
export const ROUTING_KEY = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*$/;

/** What travels on the bus: a typed payload with an id and a timestamp. `type` is the routing key. */
export interface Envelope<T = unknown> {
  /** Unique per event; also the AMQP `messageId` consumers deduplicate on. */
  readonly id: string;
  /** The routing key, `<aggregate>.<past-tense-verb>`. */
  readonly type: string;
  /** ISO-8601 instant the fact happened (not when it was sent). */
  readonly occurredAt: string;
  readonly data: T;
}

/** The envelope's own shape; the payload is validated separately, per routing key. */
export const envelopeSchema = z.object({
  id: z.string().min(1),
  type: z.string().regex(ROUTING_KEY),
  occurredAt: z.iso.datetime({ offset: true }),
  data: z.unknown(),
});

/** Build an envelope for `type` (a routing key) with a fresh id and the current time. */
export function createEnvelope<T>(type: string, data: T, options: { id?: string; occurredAt?: Date } = {}): Envelope<T> {
  if (!ROUTING_KEY.test(type)) throw new TypeError(`routing key must be <aggregate>.<past-tense-verb>: ${type}`);
  return { id: options.id ?? randomUUID(), type, occurredAt: (options.occurredAt ?? new Date()).toISOString(), data };
}
