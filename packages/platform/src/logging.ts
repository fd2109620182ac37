import { trace } from '@opentelemetry/api';
import type WinstonTypes from 'winston';
import { winston } from './instrumented.js';
import { redact, redactText } from './redact.js';

/** The logger services use: constant messages, structured fields (`logger.info('order placed', { orderId })`). */
export type Logger = WinstonTypes.Logger;

export interface LoggerOptions {
  service: string;
  version?: string;
  /** `error` | `warn` | `info` | `debug`; defaults to LOG_LEVEL handling in the service config. */
  level?: string;
  /** Extra transports (tests capture lines with a stream transport). */
  transports?: WinstonTypes.transport[];
  /** Also write to this file (natively: `.faultline/logs/<service>.log`). */
  file?: string;
  /** Write to stdout (default true). */
  console?: boolean;
  /** Drop every line (benchmarks). */
  silent?: boolean;
}

const ECS_VERSION = '8.11.0';
// The OpenTelemetry winston instrumentation injects trace_id/span_id/trace_flags into every record
// logged inside a span; this format writes the ECS trace.id/span.id itself, so those are dropped.
const RESERVED = new Set(['level', 'message', 'timestamp', 'service', 'error', 'err', 'trace_id', 'span_id', 'trace_flags']);

function errorFields(error: unknown): Record<string, unknown> | undefined {
  if (!(error instanceof Error)) return undefined;
  const name = 'errorName' in error ? String((error as { errorName: unknown }).errorName) : error.name;
  return { type: name, message: redactText(error.message), stack_trace: error.stack ? redactText(error.stack) : undefined };
}

/**
 * Elastic Common Schema as one JSON object per line: `@timestamp`, `log.level`, `message`,
 * `service.*`, `trace.id`/`span.id` of the active span, `error.*`, and the caller's fields,
 * with secrets and card numbers redacted.
 */
function ecsFormat(service: string, version: string | undefined) {
  return winston.format((info) => {
    const span = trace.getActiveSpan()?.spanContext();
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(info)) if (!RESERVED.has(key) && typeof key === 'string') fields[key] = value;
    const record: Record<string, unknown> = {
      '@timestamp': new Date().toISOString(),
      'log.level': info.level,
      message: redactText(String(info.message)),
      'ecs.version': ECS_VERSION,
      service: { name: service, ...(version ? { version } : {}) },
      event: { dataset: `${service}.log` },
      ...(span && span.traceId !== '00000000000000000000000000000000' ? { trace: { id: span.traceId }, span: { id: span.spanId } } : {}),
      ...(redact(fields) as Record<string, unknown>),
    };
    const error = errorFields(info.error ?? info.err);
    if (error) record.error = error;
    // winston serialises what is under this symbol-free key set; replace the info's content.
    for (const key of Object.keys(info)) if (key !== 'level' && key !== 'message') delete (info as Record<string, unknown>)[key];
    Object.assign(info, { [Symbol.for('message')]: JSON.stringify(record) });
    return info;
  })();
}

/** A winston logger writing ECS JSON lines to stdout (and a file when given). */
export function createLogger(options: LoggerOptions): Logger {
  const transports: WinstonTypes.transport[] = options.transports ?? (options.console === false ? [] : [new winston.transports.Console()]);
  if (options.file) transports.push(new winston.transports.File({ filename: options.file }));
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    format: ecsFormat(options.service, options.version),
    transports,
  });
}
