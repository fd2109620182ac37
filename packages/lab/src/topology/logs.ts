import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pc from 'picocolors';

export interface LogFilter {
  service?: string;
  traceId?: string;
  level?: string;
}

export interface LogLine {
  time: string;
  service: string;
  level: string;
  message: string;
  traceId: string | undefined;
  fields: Record<string, unknown>;
}

const LEVEL_COLOURS: Record<string, (s: string) => string> = { error: pc.red, warn: pc.yellow, info: pc.green, debug: pc.dim };
const LEVEL_RANK: Record<string, number> = { error: 0, warn: 1, info: 2, debug: 3 };
/** The gateway's ECS access log, merged with the services' logs. */
export const GATEWAY_ACCESS_LOG = 'gateway.access.log';

/** A gateway access line's fields worth reading: its request id (X-Request-Id), time taken and upstream. */
function gatewayFields(record: Record<string, unknown>): Record<string, unknown> {
  const http = record.http as { request?: { id?: string } } | undefined;
  const event = record.event as { duration?: number } | undefined;
  return {
    requestId: http?.request?.id,
    ms: typeof event?.duration === 'number' ? Math.round(event.duration * 1000) : undefined,
    ...(record.upstream ? { upstream: record.upstream } : {}),
  };
}

/** One ECS JSON line → a structured line; undefined for anything that is not ECS JSON. */
export function parseEcs(raw: string): LogLine | undefined {
  try {
    const record = JSON.parse(raw) as Record<string, unknown>;
    const { '@timestamp': time, 'log.level': level, message, service, trace, ...rest } = record;
    if (typeof time !== 'string') return undefined;
    const name = (service as { name?: string } | undefined)?.name ?? '?';
    // Shown elsewhere on the line, or noise for a reader.
    const fields =
      name === 'gateway' ? gatewayFields(record) : Object.fromEntries(Object.entries(rest).filter(([key]) => !['span', 'event', 'ecs.version'].includes(key)));
    const traceId = (trace as { id?: string } | undefined)?.id;
    // nginx's @timestamp has whole seconds and marks the end: its msec less the duration is when the request came.
    const { msec, event } = record as { msec?: unknown; event?: { duration?: unknown } };
    const at =
      name === 'gateway' && typeof msec === 'number'
        ? new Date(Math.round((msec - (typeof event?.duration === 'number' ? event.duration : 0)) * 1000)).toISOString()
        : time;
    return {
      time: at,
      service: name,
      level: typeof level === 'string' ? level : 'info',
      message: typeof message === 'string' ? message : '',
      traceId: traceId || undefined,
      fields,
    };
  } catch {
    return undefined;
  }
}

export function matches(line: LogLine, filter: LogFilter): boolean {
  if (filter.service && line.service !== filter.service) return false;
  if (filter.traceId && line.traceId !== filter.traceId) return false;
  if (filter.level && (LEVEL_RANK[line.level] ?? 2) > (LEVEL_RANK[filter.level] ?? 2)) return false;
  return true;
}

/** `12:03:04.123 order      info  order placed orderId=… trace=abcd1234` */
export function formatLine(line: LogLine): string {
  const colour = LEVEL_COLOURS[line.level] ?? ((s: string) => s);
  const fields = Object.entries(line.fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${pc.dim(line.time.slice(11, 23))} ${pc.cyan(line.service.padEnd(12))} ${colour(line.level.padEnd(5))} ${line.message}${fields ? ` ${pc.dim(fields)}` : ''}${line.traceId ? pc.dim(` trace=${line.traceId}`) : ''}`;
}

/** The services' ECS log files (`<service>.log`) and the gateway's access log, in the logs folder. */
export async function logFiles(logsDir: string): Promise<string[]> {
  const entries = await readdir(logsDir).catch(() => [] as string[]);
  return entries
    .filter(
      (f) =>
        f === GATEWAY_ACCESS_LOG ||
        (/^[a-z-]+\.log$/.test(f) && !['postgres.log', 'rabbitmq.log', 'prometheus.log', 'toxiproxy.log', 'jaeger.log', 'traffic.log'].includes(f)),
    )
    .map((f) => path.join(logsDir, f));
}

const CHUNK = 64 * 1024;

/** The lines of `file` before byte `end`, last first, read from the end in chunks (an hour-old log is never read whole for a tail). */
export async function* linesBackwards(file: string, end: number): AsyncGenerator<string> {
  const handle = await open(file, 'r');
  try {
    let position = end;
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const size = Math.min(CHUNK, position);
      position -= size;
      const chunk = Buffer.alloc(size);
      await handle.read(chunk, 0, size, position);
      let buffer = Buffer.concat([chunk, carry]);
      let newline = buffer.lastIndexOf(0x0a);
      while (newline !== -1) {
        const line = buffer.subarray(newline + 1).toString('utf8');
        if (line) yield line;
        buffer = buffer.subarray(0, newline);
        newline = buffer.lastIndexOf(0x0a);
      }
      carry = buffer;
    }
    if (carry.length) yield carry.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The complete lines between byte `from` and `end`, and where the next read starts (after the last newline). */
async function completeLines(file: string, from: number, end: number): Promise<{ lines: string[]; next: number }> {
  if (end <= from) return { lines: [], next: from };
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(end - from);
    await handle.read(buffer, 0, buffer.length, from);
    const last = buffer.lastIndexOf(0x0a);
    if (last === -1) return { lines: [], next: from };
    return { lines: buffer.subarray(0, last).toString('utf8').split('\n').filter(Boolean), next: from + last + 1 };
  } finally {
    await handle.close();
  }
}

/** `5m`, `30s`, `2h`, `1d` ago, or an ISO time → epoch ms; undefined when it is neither. */
export function parseSince(text: string, now = Date.now()): number | undefined {
  const relative = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(text.trim());
  if (relative) return now - Number(relative[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
  const at = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}

export interface ShowLogsOptions {
  /** Keep printing new lines. */
  follow?: boolean;
  /** Only the last n matching lines (10 when following and neither this nor `since` is given). */
  tail?: number;
  /** Only lines at or after this time (epoch ms). */
  since?: number;
  print?: (line: string) => void;
}

/** The matching lines of one file before `end`, oldest first, reading back only as far as `tail`/`since` need. */
async function matchingLines(file: string, end: number, filter: LogFilter, options: ShowLogsOptions): Promise<LogLine[]> {
  const found: LogLine[] = [];
  for await (const raw of linesBackwards(file, end)) {
    const line = parseEcs(raw);
    if (!line) continue;
    if (options.since !== undefined && Date.parse(line.time) < options.since) break;
    if (!matches(line, filter)) continue;
    found.push(line);
    if (options.tail !== undefined && found.length >= options.tail) break;
  }
  return found.reverse();
}

/** Merge the services' and the gateway's logs by time, filter, print; with `follow`, keep printing new lines. */
export async function showLogs(logsDir: string, filter: LogFilter, options: ShowLogsOptions = {}): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const tail = options.tail ?? (options.follow && options.since === undefined ? 10 : undefined);
  const offsets = new Map<string, number>();
  const collected: LogLine[] = [];
  for (const file of await logFiles(logsDir)) {
    const { size } = await stat(file);
    offsets.set(file, size);
    collected.push(...(await matchingLines(file, size, filter, { ...options, ...(tail !== undefined ? { tail } : {}) })));
  }
  collected.sort((a, b) => a.time.localeCompare(b.time));
  const shown = tail !== undefined ? collected.slice(-tail) : collected;
  for (const line of shown) print(formatLine(line));
  while (options.follow) {
    await sleep(500);
    const fresh: LogLine[] = [];
    for (const file of await logFiles(logsDir)) {
      const { size } = await stat(file);
      // A file cut short (a log recreated) is read again from its start.
      const from = (offsets.get(file) ?? 0) > size ? 0 : (offsets.get(file) ?? 0);
      const { lines, next } = await completeLines(file, from, size);
      offsets.set(file, next);
      for (const raw of lines) {
        const line = parseEcs(raw);
        if (line && matches(line, filter)) fresh.push(line);
      }
    }
    fresh.sort((a, b) => a.time.localeCompare(b.time));
    for (const line of fresh) print(formatLine(line));
  }
  return shown.length;
}
