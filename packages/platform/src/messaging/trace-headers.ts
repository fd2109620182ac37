import { type Context, context, propagation, ROOT_CONTEXT, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

/** AMQP headers as amqplib hands them over (values may be Buffers or numbers). */
export type MessageHeaders = Record<string, unknown>;

const setter: TextMapSetter<MessageHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

const getter: TextMapGetter<MessageHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined || value === null) return undefined;
    return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  },
};

/** W3C `traceparent`/`tracestate` (and baggage) of `ctx` (default: the active context), written into `headers`. */
export function injectTraceHeaders(headers: MessageHeaders = {}, ctx: Context = context.active()): MessageHeaders {
  propagation.inject(ctx, headers, setter);
  return headers;
}

/** The remote context carried by message headers; a root context when they carry none. */
export function extractTraceContext(headers: MessageHeaders | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers ?? {}, getter);
}
