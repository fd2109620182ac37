import type { ConsumeMessage } from 'amqplib';
import type pg from 'pg';
import type { z } from 'zod';
import { redactText } from '../redact.js';
import { type Envelope, envelopeSchema } from './envelope.js';

/** Handles one routing key: its payload schema and the work, done in the platform's transaction. */
export interface MessageHandler<T> {
  /** Validates `envelope.data`; a message that fails it is poison and is dead-lettered at once. */
  readonly schema: z.ZodType<T>;
  /**
   * Do the work inside `tx`, the transaction that also records the message id: commit happens
   * after it resolves, and a throw rolls both back and schedules a retry. Method syntax keeps
   * handlers of different payloads assignable to one map.
   */
  handle(message: Envelope<T>, tx: pg.PoolClient, prepared?: unknown): Promise<void>;
  /**
   * Optional slow part (a call to the outside world), run before the transaction so no database
   * connection is held across it; its result is handed to `handle`. Skipped for a message already
   * processed; it must be safe to repeat (a redelivery may run it again), e.g. idempotency-keyed.
   */
  prepare?(message: Envelope<T>): Promise<unknown>;
}

/** Pair a payload schema with its handler, inferring the payload type from the schema. */
export function defineHandler<S extends z.ZodType>(
  schema: S,
  handle: (message: Envelope<z.output<S>>, tx: pg.PoolClient) => Promise<void>,
): MessageHandler<z.output<S>> {
  return { schema: schema as z.ZodType<z.output<S>>, handle };
}

/**
 * A handler in two parts: `prepare` does the slow, repeatable work outside any transaction (a
 * provider call), `record` writes its outcome in the transaction that also records the message id.
 */
export function definePreparedHandler<S extends z.ZodType, P>(
  schema: S,
  prepare: (message: Envelope<z.output<S>>) => Promise<P>,
  record: (message: Envelope<z.output<S>>, tx: pg.PoolClient, prepared: P) => Promise<void>,
): MessageHandler<z.output<S>> {
  return {
    schema: schema as z.ZodType<z.output<S>>,
    prepare,
    handle: (message, tx, prepared) => record(message, tx, prepared as P),
  };
}

/** Why a message went to the dead-letter queue (the `x-dead-letter-reason` header). */
export type DeadLetterReason = 'invalid-json' | 'invalid-envelope' | 'no-handler' | 'invalid-payload' | 'retries-exhausted';

export type Decoded =
  | { ok: true; messageId: string; envelope: Envelope; handler: MessageHandler<unknown> }
  | { ok: false; reason: DeadLetterReason; detail: string };

/** AMQP topic matching: `*` is one word, `#` is zero or more. */
export function topicMatches(pattern: string, key: string): boolean {
  const match = (p: string[], k: string[]): boolean => {
    if (p.length === 0) return k.length === 0;
    const [head, ...rest] = p;
    if (head === '#') return match(rest, k) || (k.length > 0 && match(p, k.slice(1)));
    return k.length > 0 && (head === '*' || head === k[0]) && match(rest, k.slice(1));
  };
  return match(pattern.split('.'), key.split('.'));
}

const summarize = (error: z.ZodError) =>
  redactText(error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')).slice(0, 1000);

/** Parse, validate and dispatch a delivery; anything that can never succeed comes back as poison. */
export function decode(message: ConsumeMessage, handlers: Readonly<Record<string, MessageHandler<unknown>>>): Decoded {
  let json: unknown;
  try {
    json = JSON.parse(message.content.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'invalid-json', detail: (error as Error).message };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: 'invalid-envelope', detail: summarize(envelope.error) };
  const { type } = envelope.data;
  const handler = handlers[type] ?? Object.entries(handlers).find(([pattern]) => topicMatches(pattern, type))?.[1];
  if (!handler) return { ok: false, reason: 'no-handler', detail: `no handler for ${type}` };
  const data = handler.schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: 'invalid-payload', detail: summarize(data.error) };
  const messageId = typeof message.properties.messageId === 'string' && message.properties.messageId !== '' ? message.properties.messageId : envelope.data.id;
  return { ok: true, messageId, envelope: { ...envelope.data, data: data.data }, handler };
}
