import type { Journal } from './journal.js';
import { escapeMarkup } from './report/escape.js';
import { STYLE } from './report/html-style.js';

/**
 * `chaos prove`: a verdict is only worth something if it fails when the mechanism it names is
 * gone. Each experiment runs intact (it must pass) and once per mechanism it declares, with that
 * mechanism knocked out (it must fail on an expectation that verifies *that* mechanism).
 */
export type CellStatus = 'passed' | 'caught' | 'missed' | 'failed-intact' | 'error';

export interface ProveCell {
  experiment: string;
  /** The knocked-out mechanism, or `intact`. */
  knockout: string;
  status: CellStatus;
  /** The expectations verifying the knocked-out mechanism that failed (what caught it). */
  caughtBy: string[];
  /** Other expectations that failed (a knock-out failing only on these is a miss). */
  alsoFailed: string[];
  verdict: Journal['verdict'];
  seconds: number;
  detail?: string;
}

export interface ProveReport {
  startedAt: string;
  endedAt: string;
  scale: number;
  cells: ProveCell[];
  /** True when every intact run passed and every knock-out was caught by its own mechanism's expectation. */
  proven: boolean;
}

export const INTACT = 'intact';

const seconds = (j: Journal) => Math.round((Date.parse(j.endedAt) - Date.parse(j.startedAt)) / 1000);
const failedIds = (j: Journal, keep: (verifies: string | undefined) => boolean) =>
  j.expectations.filter((e) => !e.passed && keep(e.verifies)).map((e) => `${e.id} (${e.measured ?? '-'} ${e.unit}, ${e.threshold})`);

/** Judge one run of the matrix. */
export function judgeCell(journal: Journal, knockout: string): ProveCell {
  const base = { experiment: journal.experiment, knockout, verdict: journal.verdict, seconds: seconds(journal) };
  if (journal.verdict === 'error' || journal.verdict === 'aborted')
    return { ...base, status: 'error', caughtBy: [], alsoFailed: [], detail: journal.error ?? journal.abortReason ?? journal.verdict };
  if (knockout === INTACT) {
    const failed = failedIds(journal, () => true);
    const probes = journal.steadyState.filter((p) => !p.passed).map((p) => `probe ${p.probe}`);
    return journal.verdict === 'passed'
      ? { ...base, status: 'passed', caughtBy: [], alsoFailed: [] }
      : { ...base, status: 'failed-intact', caughtBy: [], alsoFailed: [...failed, ...probes], detail: 'the experiment fails with every mechanism in place' };
  }
  const caughtBy = failedIds(journal, (v) => v === knockout);
  const alsoFailed = failedIds(journal, (v) => v !== knockout);
  if (caughtBy.length) return { ...base, status: 'caught', caughtBy, alsoFailed };
  return {
    ...base,
    status: 'missed',
    caughtBy,
    alsoFailed,
    detail: alsoFailed.length ? 'failed, but only on expectations of other mechanisms' : 'passed without the mechanism',
  };
}

export const isProven = (cells: readonly ProveCell[]) => cells.length > 0 && cells.every((c) => c.status === 'passed' || c.status === 'caught');

const ICON: Record<CellStatus, string> = { passed: 'pass', caught: 'caught', missed: 'MISSED', 'failed-intact': 'FAILS INTACT', error: 'ERROR' };

/** The matrix as lines for the terminal: one row per run. */
export function proveLines(report: ProveReport): string[] {
  const width = Math.max(10, ...report.cells.map((c) => c.experiment.length));
  const kwidth = Math.max(8, ...report.cells.map((c) => c.knockout.length));
  const rows = report.cells.map(
    (c) =>
      `${c.experiment.padEnd(width)}  ${c.knockout.padEnd(kwidth)}  ${ICON[c.status].padEnd(12)} ${String(c.seconds).padStart(4)} s  ${
        c.caughtBy.length ? `by ${c.caughtBy.join('; ')}` : (c.detail ?? '')
      }`,
  );
  const caught = report.cells.filter((c) => c.status === 'caught').length;
  const knockouts = report.cells.filter((c) => c.knockout !== INTACT).length;
  const intact = report.cells.filter((c) => c.knockout === INTACT);
  return [
    `${'experiment'.padEnd(width)}  ${'knockout'.padEnd(kwidth)}  ${'result'.padEnd(12)} time`,
    ...rows,
    '',
    `${caught}/${knockouts} knock-outs caught by their own mechanism's expectation; ${intact.filter((c) => c.status === 'passed').length}/${intact.length} intact runs passed — ${report.proven ? 'PROVEN' : 'NOT PROVEN'}`,
  ];
}

/** The matrix as a self-contained HTML page (experiment × mechanism, each cell linking its run's report). */
export function proveHtml(report: ProveReport, reportOf: (cell: ProveCell) => string | undefined): string {
  const experiments = [...new Set(report.cells.map((c) => c.experiment))];
  const rows = experiments
    .map((experiment) => {
      const cells = report.cells.filter((c) => c.experiment === experiment);
      return cells
        .map((c, i) => {
          const link = reportOf(c);
          const cls = c.status === 'passed' || c.status === 'caught' ? 'pass' : 'fail';
          return `<tr>${i === 0 ? `<td class="id" rowspan="${cells.length}">${escapeMarkup(experiment)}</td>` : ''}<td class="id">${escapeMarkup(c.knockout)}</td><td class="${cls}">${
            link ? `<a href="${escapeMarkup(link)}">${ICON[c.status]}</a>` : ICON[c.status]
          }</td><td>${escapeMarkup(c.caughtBy.join('; ') || c.detail || '')}</td><td>${escapeMarkup(c.alsoFailed.join('; '))}</td><td class="num">${c.seconds} s</td></tr>`;
        })
        .join('\n');
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chaos prove</title><style>${STYLE}</style></head>
<body><header class="${report.proven ? 'passed' : 'failed'}"><h1>chaos prove — ${report.proven ? 'every verdict can fail' : 'NOT PROVEN'}</h1>
<p class="meta">${escapeMarkup(report.startedAt)} → ${escapeMarkup(report.endedAt)}, scale ${report.scale}</p></header>
<main><p>Each experiment runs intact (it must pass), then once per mechanism it declares with that mechanism knocked out: it must fail on an expectation that verifies that mechanism.</p>
<table><thead><tr><th>experiment</th><th>knock-out</th><th>result</th><th>caught by</th><th>other failures</th><th>time</th></tr></thead>
<tbody>
${rows}
</tbody></table></main></body></html>
`;
}
