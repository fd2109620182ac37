import type { Journal } from '../journal.js';
import { chartAssets } from './assets.js';
import { chartSpecs } from './charts.js';
import { escapeMarkup as esc, jsonForScript } from './escape.js';
import { formatMeasured, formatNumber, notJudged, runSeconds, stopReason } from './format.js';
import { STYLE } from './html-style.js';

// Draws every chart from the JSON block; only the breaker chart needs a function (its tick labels).
const BOOT = `for (const spec of JSON.parse(document.getElementById('faultline-charts').textContent)) {
  if (spec.yLabels) spec.config.options.scales.y.ticks.callback = (v) => spec.yLabels[v] ?? '';
  new Chart(document.getElementById('chart-' + spec.id), spec.config);
}`;

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

/**
 * A self-contained HTML report of one run: verdict, hypothesis, expectations with measured vs
 * threshold, and the timeline charts (latency, errors, throughput, breakers) with the fault
 * windows shaded. chart.js is inlined, so the page opens offline; every journal string is escaped.
 */
export function toHtml(journal: Journal): string {
  const assets = chartAssets();
  const specs = chartSpecs(journal);
  const reason = stopReason(journal);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(journal.title)} — Faultline chaos report</title>
<style>${STYLE}</style>
</head>
<body>
<header class="verdict ${esc(journal.verdict)}">
  <h1>${esc(journal.title)}</h1>
  <p class="badge">${esc(journal.verdict.toUpperCase())}${reason ? ` — ${esc(reason)}` : ''}</p>
  <p class="meta">${esc(journal.experiment)} · policies ${esc(journal.policies)} · seed ${esc(journal.seed)} · ${esc(journal.startedAt)} · ${esc(formatNumber(runSeconds(journal)))} s · ${esc(journal.load.requests)} requests, ${esc(formatNumber(journal.load.failedRate * 100))} % failed</p>
</header>
<main>
<section><h2>Hypothesis</h2><p class="hypothesis">${esc(journal.hypothesis)}</p>${probesTable(journal)}</section>
<section><h2>Expectations</h2>${expectationsTable(journal)}</section>
<section><h2>Faults</h2>${faultsTable(journal)}</section>
<section><h2>Alerts</h2>${alertsTable(journal)}</section>
<section><h2>Timeline</h2>
${specs.map((s) => `<figure><figcaption>${esc(s.title)}</figcaption><div class="chart"><canvas id="chart-${esc(s.id)}"></canvas></div></figure>`).join('\n')}
</section>
</main>
<script type="application/json" id="faultline-charts">${jsonForScript(specs)}</script>
<script>${assets.chartJs}</script>
<script>${assets.annotationPlugin}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

function table(head: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}

const td = (text: unknown, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${esc(text)}</td>`;
const outcome = (passed: boolean, skipped = false) => (skipped ? td('not judged', 'skip') : passed ? td('✓ pass', 'pass') : td('✗ fail', 'fail'));

function expectationsTable(journal: Journal): string {
  const rows = journal.expectations.map((e) => [
    td(e.mechanism),
    td(e.id, 'id'),
    td(e.phase),
    td(e.description),
    td(formatMeasured(e), 'num'),
    td(e.threshold, 'num'),
    outcome(e.passed, notJudged(journal, e)),
    td(e.detail ?? ''),
  ]);
  return table(['Mechanism', 'Expectation', 'Phase', 'Description', 'Measured', 'Threshold', 'Result', 'Detail'], rows, 'No expectations were judged.');
}

function probesTable(journal: Journal): string {
  const rows = journal.steadyState.map((p) => [td(p.probe, 'id'), td(p.measured, 'num'), outcome(p.passed)]);
  return table(['Steady-state probe', 'Measured', 'Result'], rows, 'No steady-state probes.');
}

function faultsTable(journal: Journal): string {
  const rows = journal.faults.map((f) => [td(f.id, 'id'), td(f.target), td(f.what), td(`${f.start}–${f.end} s`, 'num')]);
  return table(['Fault', 'Target', 'What', 'Window'], rows, 'No faults were injected.');
}

function alertsTable(journal: Journal): string {
  const at = (v: number | null) => (v === null ? '–' : `${formatNumber(v)} s`);
  const rows = (journal.alerts ?? []).map((a) => [
    td(a.alert, 'id'),
    td(
      Object.entries(a.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ),
    td(at(a.activeAt), 'num'),
    td(at(a.firingAt), 'num'),
    td(at(a.lastSeenAt), 'num'),
  ]);
  return table(['Alert', 'Labels', 'Pending at', 'Firing at', 'Last seen at'], rows, 'Prometheus reported no pending or firing alert during the run.');
}
