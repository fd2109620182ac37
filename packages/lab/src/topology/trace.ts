import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { jaegerQueryUrl } from '../infra/components/jaeger.js';
import { GATEWAY_ACCESS_LOG, linesBackwards, parseEcs } from './logs.js';

/** One span of a trace, as `faultline trace` shows it. */
export interface TraceSpan {
  spanId: string;
  parentId: string | undefined;
  service: string;
  operation: string;
  /** Microseconds since the epoch. */
  start: number;
  /** Microseconds. */
  duration: number;
  /** HTTP status of the span, when it has one. */
  httpStatus: number | undefined;
  /** The span's error (status description or exception message), when it failed. */
  error: string | undefined;
}

export interface Trace {
  traceId: string;
  spans: TraceSpan[];
}

interface JaegerTag {
  key: string;
  value: unknown;
}
interface JaegerSpan {
  spanID: string;
  operationName: string;
  references?: { refType: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags?: JaegerTag[];
  logs?: { fields?: JaegerTag[] }[];
  processID: string;
}
interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const tagOf = (tags: JaegerTag[] | undefined, ...keys: string[]) => tags?.find((t) => keys.includes(t.key))?.value;

/** Jaeger's JSON trace → our spans (parent by CHILD_OF, else FOLLOWS_FROM). */
export function fromJaeger(raw: JaegerTrace): Trace {
  return {
    traceId: raw.traceID,
    spans: raw.spans.map((s) => {
      const parent = s.references?.find((r) => r.refType === 'CHILD_OF') ?? s.references?.[0];
      const status = tagOf(s.tags, 'http.response.status_code', 'http.status_code');
      const failed = tagOf(s.tags, 'error') === true || tagOf(s.tags, 'otel.status_code') === 'ERROR';
      const exception = s.logs?.map((l) => tagOf(l.fields, 'exception.message')).find((m) => m !== undefined);
      const description = tagOf(s.tags, 'otel.status_description');
      return {
        spanId: s.spanID,
        parentId: parent?.spanID,
        service: raw.processes[s.processID]?.serviceName ?? '?',
        operation: s.operationName,
        start: s.startTime,
        duration: s.duration,
        httpStatus: status === undefined ? undefined : Number(status),
        error: failed ? String(description ?? exception ?? 'error') : undefined,
      };
    }),
  };
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const TRACE_HEADER = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace the gateway logged for this X-Request-Id, read from the end of its access log. */
export async function traceOfRequest(cfg: LabConfig, requestId: string): Promise<string | undefined> {
  const file = path.join(cfg.stateDir, 'logs', GATEWAY_ACCESS_LOG);
  const size = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) return undefined;
  const needle = `"id":"${requestId}"`;
  for await (const raw of linesBackwards(file, size)) {
    if (!raw.includes(needle)) continue;
    return parseEcs(raw)?.traceId;
  }
  return undefined;
}

/**
 * What a user holds → a trace id: a trace id, a `traceresponse`/`traceparent` value, or the
 * gateway's X-Request-Id (looked up in its access log; nginx's request ids are 32 hex digits too).
 */
export async function resolveTraceId(cfg: LabConfig, text: string): Promise<string> {
  const value = text.trim().toLowerCase();
  const header = TRACE_HEADER.exec(value);
  if (header?.[1]) return header[1];
  const viaGateway = await traceOfRequest(cfg, value);
  if (viaGateway) return viaGateway;
  if (TRACE_ID.test(value) || /^[0-9a-f]{16}$/.test(value)) return value;
  throw new LabError(`${text} is neither a trace id, a traceresponse value, nor an X-Request-Id the gateway logged`, {
    hint: 'pass the traceresponse header of an answer (curl -i shows it), the traceId of a problem, or its X-Request-Id',
  });
}

/** The trace from Jaeger's query API; waits a little, since spans reach Jaeger about a second after the answer. */
export async function fetchTrace(cfg: LabConfig, traceId: string, waitMs = 5000): Promise<Trace> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const response = await fetch(`${jaegerQueryUrl(cfg)}/api/traces/${traceId}`, { signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => {
      throw new LabError(`Jaeger does not answer at ${jaegerQueryUrl(cfg)}`, { cause: error, hint: 'is the lab running? npm run faultline -- status' });
    });
    if (response.ok) {
      const body = (await response.json()) as { data?: JaegerTrace[] };
      const found = body.data?.[0];
      if (found && found.spans.length > 0) return fromJaeger(found);
    } else if (response.status !== 404) {
      throw new LabError(`Jaeger answered ${response.status} for trace ${traceId}: ${(await response.text()).slice(0, 200)}`);
    }
    if (Date.now() >= deadline)
      throw new LabError(`trace ${traceId} is not in Jaeger`, {
        hint: 'Jaeger keeps traces in memory only (a restart empties it); its logs may still be there: npm run faultline -- logs --trace <id>',
      });
    await sleep(500);
  }
}
