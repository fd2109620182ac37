import Table from 'cli-table3';
import pc from 'picocolors';
import type { Journal } from '../journal.js';
import { formatMeasured, formatNumber, notJudged, runSeconds, stopReason } from './format.js';

const VERDICT_STYLE: Record<Journal['verdict'], { mark: string; colour: (text: string) => string }> = {
  passed: { mark: '✓', colour: pc.green },
  failed: { mark: '✗', colour: pc.red },
  aborted: { mark: '⚠', colour: pc.yellow },
  error: { mark: '✗', colour: pc.magenta },
};

/** The verdict, coloured (colours follow picocolors: off without a TTY or with NO_COLOR). */
function verdictText(journal: Journal): string {
  const style = VERDICT_STYLE[journal.verdict];
  return style.colour(pc.bold(`${style.mark} ${journal.verdict.toUpperCase()}`));
}

/**
 * A terminal table of runs: experiment, policies and verdict, then one line per steady-state
 * probe and per expectation with its mechanism, measured value, threshold and ✓/✗.
 */
export function summaryTable(journals: Journal[]): string {
  const table = new Table({
    head: ['Experiment', 'Policies', 'Verdict', 'Mechanism', 'Check', 'Measured', 'Threshold', ''].map((h) => pc.bold(h)),
    style: { head: [], border: [] },
  });
  for (const journal of journals) {
    const lines = [
      ...journal.steadyState.map((p) => ['steady-state', p.probe, p.measured, '', mark(p.passed)]),
      ...journal.expectations.map((e) => [
        e.mechanism,
        `${e.id} (${e.phase})`,
        formatMeasured(e),
        e.threshold,
        notJudged(journal, e) ? pc.dim('–') : mark(e.passed),
      ]),
    ];
    if (lines.length === 0) lines.push(['', pc.dim('nothing judged'), '', '', '']);
    const reason = stopReason(journal);
    const verdict = reason ? `${verdictText(journal)}\n${pc.dim(truncate(reason, 40))}` : verdictText(journal);
    const rowSpan = lines.length;
    lines.forEach((line, i) => {
      const lead =
        i === 0
          ? [
              { content: journal.experiment, rowSpan },
              { content: journal.policies, rowSpan },
              { content: verdict, rowSpan },
            ]
          : [];
      table.push([...lead, ...line]);
    });
  }
  return table.toString();
}

/**
 * One line per run: `✓ PASSED payment-latency (policies on) — 7/7 expectations, 2/2 probes, 62 s`,
 * naming the failed expectations (mechanism:id) or the reason a run stopped.
 */
export function verdictLine(journal: Journal): string {
  const passed = journal.expectations.filter((e) => e.passed).length;
  const probes = journal.steadyState.filter((p) => p.passed).length;
  const counts = `${passed}/${journal.expectations.length} expectations, ${probes}/${journal.steadyState.length} probes, ${formatNumber(runSeconds(journal))} s`;
  const failing = journal.expectations.filter((e) => !e.passed && !notJudged(journal, e)).map((e) => `${e.mechanism}:${e.id}`);
  const reason = stopReason(journal);
  const why = reason ?? (failing.length ? `failed: ${failing.join(', ')}` : '');
  return `${verdictText(journal)} ${pc.bold(journal.experiment)} (policies ${journal.policies}) — ${counts}${why ? ` — ${why}` : ''}`;
}

const mark = (passed: boolean) => (passed ? pc.green('✓') : pc.red('✗'));

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
