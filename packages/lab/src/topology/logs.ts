import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import pc from 'picocolors';

export interface LogFilter {
  service?: string;
  traceId?: string;
  level?: string;
}

interface LogLine {
  time: string;
  service: string;
  level: string;
  message: string;
  traceId: string | undefined;
  fields: Record<string, unknown>;
}

const LEVEL_COLOURS: Record<string, (s: string) => string> = { error: pc.red, warn: pc.yellow, info: pc.green, debug: pc.dim };
const LEVEL_RANK: Record<string, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** One ECS JSON line → a structured line; undefined for anything that is not ECS JSON. */
export function parseEcs(raw: string): LogLine | undefined {
  try {
    const record = JSON.parse(raw) as Record<string, unknown>;
    const { '@timestamp': time, 'log.level': level, message, service, trace, ...rest } = record;
    // Shown elsewhere on the line, or noise for a reader.
    const fields = Object.fromEntries(Object.entries(rest).filter(([key]) => !['span', 'event', 'ecs.version'].includes(key)));
    if (typeof time !== 'string') return undefined;
    return {
      time,
      service: (service as { name?: string } | undefined)?.name ?? '?',
      level: typeof level === 'string' ? level : 'info',
      message: typeof message === 'string' ? message : '',
      traceId: (trace as { id?: string } | undefined)?.id,
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
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${pc.dim(line.time.slice(11, 23))} ${pc.cyan(line.service.padEnd(12))} ${colour(line.level.padEnd(5))} ${line.message}${fields ? ` ${pc.dim(fields)}` : ''}${line.traceId ? pc.dim(` trace=${line.traceId}`) : ''}`;
}

/** The services' ECS log files (`<service>.log`) in the logs folder. */
export async function logFiles(logsDir: string): Promise<string[]> {
  const entries = await readdir(logsDir).catch(() => [] as string[]);
  return entries
    .filter((f) => /^[a-z-]+\.log$/.test(f) && !['postgres.log', 'rabbitmq.log', 'prometheus.log', 'toxiproxy.log', 'jaeger.log'].includes(f))
    .map((f) => path.join(logsDir, f));
}

async function readLines(file: string, from = 0): Promise<{ lines: string[]; size: number }> {
  const size = (await stat(file)).size;
  if (size <= from) return { lines: [], size };
  const lines: string[] = [];
  const reader = createInterface({ input: createReadStream(file, { start: from, end: size - 1 }) });
  for await (const line of reader) lines.push(line);
  return { lines, size };
}

/** Merge the services' logs by time, filter, print; with `follow`, keep printing new lines. */
export async function showLogs(
  logsDir: string,
  filter: LogFilter,
  options: { follow?: boolean; tail?: number; print?: (line: string) => void } = {},
): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const offsets = new Map<string, number>();
  const collected: LogLine[] = [];
  for (const file of await logFiles(logsDir)) {
    const { lines, size } = await readLines(file);
    offsets.set(file, size);
    for (const raw of lines) {
      const line = parseEcs(raw);
      if (line && matches(line, filter)) collected.push(line);
    }
  }
  collected.sort((a, b) => a.time.localeCompare(b.time));
  const shown = options.tail ? collected.slice(-options.tail) : collected;
  for (const line of shown) print(formatLine(line));
  while (options.follow) {
    await sleep(500);
    for (const file of await logFiles(logsDir)) {
      const { lines, size } = await readLines(file, offsets.get(file) ?? 0);
      offsets.set(file, size);
      for (const raw of lines) {
        const line = parseEcs(raw);
        if (line && matches(line, filter)) print(formatLine(line));
      }
    }
  }
  return shown.length;
}
