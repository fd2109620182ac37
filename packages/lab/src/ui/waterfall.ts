import pc from 'picocolors';
import type { Trace, TraceSpan } from '../topology/trace.js';

export interface WaterfallOptions {
  /** Show every span: no folding of repeated siblings. */
  all?: boolean;
  /** Deepest level shown (0 = the root spans only). */
  depth?: number;
}

const BAR_WIDTH = 40;
const OPERATION_WIDTH = 52;

/** `0.42 ms`, `12.3 ms`, `1.24 s` from microseconds. */
export function formatDuration(us: number): string {
  const ms = us / 1000;
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

interface Row {
  spans: TraceSpan[];
  depth: number;
}

/** Children by parent, each list in start order; a span whose parent is not in the trace is a root. */
function tree(trace: Trace): { roots: TraceSpan[]; children: Map<string, TraceSpan[]> } {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const span of [...trace.spans].sort((a, b) => a.start - b.start)) {
    if (span.parentId && ids.has(span.parentId) && span.parentId !== span.spanId) {
      const list = children.get(span.parentId) ?? [];
      list.push(span);
      children.set(span.parentId, list);
    } else roots.push(span);
  }
  return { roots, children };
}

/** Consecutive siblings of the same service and operation, none failed, as one run (n ≥ 2). */
function runs(siblings: TraceSpan[], fold: boolean): TraceSpan[][] {
  const out: TraceSpan[][] = [];
  for (const span of siblings) {
    const last = out.at(-1);
    const head = last?.[0];
    if (fold && last && head && head.service === span.service && head.operation === span.operation && !head.error && !span.error) last.push(span);
    else out.push([span]);
  }
  return out;
}

/** The rows to print, depth first, and how many spans were folded or cut by depth. */
function layout(trace: Trace, options: WaterfallOptions): { rows: Row[]; folded: number; deeper: number } {
  const { roots, children } = tree(trace);
  const rows: Row[] = [];
  let folded = 0;
  let deeper = 0;
  const count = (span: TraceSpan): number => 1 + (children.get(span.spanId) ?? []).reduce((a, c) => a + count(c), 0);
  const visit = (siblings: TraceSpan[], depth: number) => {
    for (const run of runs(siblings, !options.all)) {
      if (options.depth !== undefined && depth > options.depth) {
        deeper += run.reduce((a, s) => a + count(s), 0);
        continue;
      }
      rows.push({ spans: run, depth });
      const [first, ...rest] = run;
      if (!first) continue;
      if (rest.length) {
        folded += run.reduce((a, s) => a + count(s), 0) - 1;
        continue;
      }
      visit(children.get(first.spanId) ?? [], depth + 1);
    }
  };
  visit(roots, 0);
  return { rows, folded, deeper };
}

const statusText = (span: TraceSpan) => {
  const parts: string[] = [];
  if (span.httpStatus !== undefined) {
    const colour = span.httpStatus >= 500 ? pc.red : span.httpStatus >= 400 ? pc.yellow : pc.green;
    parts.push(colour(String(span.httpStatus)));
  }
  if (span.error) parts.push(pc.red(`✖ ${span.error}`));
  return parts.join(' ');
};

/** The trace as a terminal waterfall: services, spans indented by depth, bars on one time axis, durations, status and errors. */
export function waterfall(trace: Trace, options: WaterfallOptions = {}): string {
  const t0 = Math.min(...trace.spans.map((s) => s.start));
  const end = Math.max(...trace.spans.map((s) => s.start + s.duration));
  const total = Math.max(1, end - t0);
  const services = [...new Set(trace.spans.map((s) => s.service))];
  const errors = trace.spans.filter((s) => s.error).length;
  const { rows, folded, deeper } = layout(trace, options);
  const serviceWidth = Math.max(...services.map((s) => s.length), 7);
  const lines = [
    pc.bold(`trace ${trace.traceId}`) +
      `  ${trace.spans.length} span${trace.spans.length === 1 ? '' : 's'}, ${services.length} service${services.length === 1 ? '' : 's'} (${services.join(', ')}), ${formatDuration(total)}` +
      (errors ? pc.red(`, ${errors} failed`) : ''),
    '',
  ];
  for (const row of rows) {
    const first = row.spans[0] as TraceSpan;
    const start = first.start;
    const finish = Math.max(...row.spans.map((s) => s.start + s.duration));
    const offset = Math.min(BAR_WIDTH - 1, Math.floor(((start - t0) / total) * BAR_WIDTH));
    const length = Math.max(1, Math.min(BAR_WIDTH - offset, Math.round(((finish - start) / total) * BAR_WIDTH)));
    const failed = row.spans.some((s) => s.error);
    const bar = ' '.repeat(offset) + (failed ? pc.red : pc.cyan)('█'.repeat(length)) + ' '.repeat(BAR_WIDTH - offset - length);
    const times = row.spans.length > 1 ? ` ×${row.spans.length}` : '';
    let name = `${'  '.repeat(row.depth)}${first.operation}${times}`;
    if (name.length > OPERATION_WIDTH) name = `${name.slice(0, OPERATION_WIDTH - 1)}…`;
    const duration = row.spans.length > 1 ? `${formatDuration(row.spans.reduce((a, s) => a + s.duration, 0))} Σ` : formatDuration(first.duration);
    lines.push(
      `${pc.cyan(first.service.padEnd(serviceWidth))}  ${name.padEnd(OPERATION_WIDTH)} ${pc.dim('│')}${bar}${pc.dim('│')} ${duration.padStart(11)}  ${statusText(first)}`.trimEnd(),
    );
  }
  const notes: string[] = [];
  if (folded) notes.push(`${folded} repeated spans folded (×n): --all shows each`);
  if (deeper) notes.push(`${deeper} deeper spans hidden by --depth`);
  if (notes.length) lines.push('', pc.dim(notes.join('; ')));
  return lines.join('\n');
}
