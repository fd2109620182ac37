import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import type { ChartSpec } from '../src/report/charts.js';
import { toHtml } from '../src/report/html.js';
import { writeReports } from '../src/report/write-reports.js';
import { allJournals, journal } from './fixtures/journals.js';

function chartsOf(html: string): ChartSpec[] {
  const json = /<script type="application\/json" id="faultline-charts">(.*?)<\/script>/s.exec(html)?.[1];
  assert.ok(json, 'the chart configs are embedded');
  return JSON.parse(json) as ChartSpec[];
}

type Annotation = { type: string; xMin?: number; xMax?: number; value?: number; label: { content: string } };
const annotationsOf = (spec: ChartSpec) =>
  Object.values((spec.config.options as { plugins: { annotation: { annotations: Record<string, Annotation> } } }).plugins.annotation.annotations);

describe('HTML report', () => {
  const html = toHtml(journal('passed-breaker-opens'));

  it('inlines chart.js and the annotation plugin instead of loading them', () => {
    assert.ok(html.includes('Chart.js v4'), 'chart.js UMD bundle inlined');
    assert.ok(html.includes('chartjs-plugin-annotation v3'), 'annotation plugin inlined');
    assert.doesNotMatch(html, /<script[^>]*\ssrc=/i);
    assert.doesNotMatch(html, /<(link|img)[^>]+https?:\/\//i);
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('draws latency, errors, throughput and breakers, each on its own canvas', () => {
    const ids = chartsOf(html).map((s) => s.id);
    assert.deepEqual(ids, ['latency', 'errors', 'throughput', 'breakers']);
    for (const id of ids) assert.ok(html.includes(`<canvas id="chart-${id}">`), `canvas for ${id}`);
  });

  it('shades the fault window on every chart, labelled with the fault id, and marks the phase boundaries', () => {
    for (const spec of chartsOf(html)) {
      const annotations = annotationsOf(spec);
      const box = annotations.find((a) => a.type === 'box');
      assert.deepEqual([box?.xMin, box?.xMax, box?.label.content], [15, 35, 'payment-slow'], spec.id);
      const lines = annotations.filter((a) => a.type === 'line').map((a) => a.value);
      assert.deepEqual(lines, [0, 15, 35, 60], spec.id);
    }
  });

  it('plots each breaker as a stepped line: 0 closed, 1 half open, 2 open', () => {
    const breakers = chartsOf(html).find((s) => s.id === 'breakers');
    assert.ok(breakers);
    const datasets = (breakers.config.data as { datasets: { label: string; stepped: string; data: { x: number; y: number }[] }[] }).datasets;
    const payment = datasets.find((d) => d.label === 'order→payment');
    assert.equal(payment?.stepped, 'before');
    assert.deepEqual(
      payment?.data.slice(16, 27).map((p) => p.y),
      [0, 2, 2, 2, 2, 2, 2, 2, 2, 1, 2],
    );
  });

  it('shows each expectation with measured value, threshold, result and mechanism', () => {
    const row = /<tr><td>fallback<\/td><td class="id">fallback-pending<\/td>.*?<\/tr>/.exec(html)?.[0] ?? '';
    assert.match(row, /92\.5 %/);
    assert.match(row, /≥ 80 %/);
    assert.match(row, /✓ pass/);
    assert.match(html, /<header class="verdict passed">/);
  });

  it('escapes a title, a hypothesis and a fault id that carry markup', () => {
    const j = journal('failed-policies-off');
    j.title = '<script>alert(1)</script>';
    j.hypothesis = 'p95 < 2 s & "no" loss';
    const fault = j.faults[0];
    if (!fault) throw new Error('fixture has no fault');
    fault.id = '</script><script>alert(2)</script>';
    const page = toHtml(j);
    assert.ok(!page.includes('<script>alert'), 'no injected script element');
    assert.ok(page.includes('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>'));
    assert.ok(page.includes('p95 &lt; 2 s &amp; &quot;no&quot; loss'));
    const box = annotationsOf(chartsOf(page)[0] as ChartSpec).find((a) => a.type === 'box');
    assert.equal(box?.label.content, fault.id, 'the label survives the trip through the page');
  });

  it('writes journal, HTML and JUnit files and returns their paths', async () => {
    const dir = join(tmpdir(), `faultline-reports-${process.pid}`);
    try {
      const written = await writeReports(allJournals(), dir);
      assert.deepEqual(
        written.runs.map((r) => r.html),
        ['payment-latency-breaker.html', 'payment-latency-breaker.policies-off.html', 'product-down-bulkhead.html'].map((f) => join(dir, f)),
      );
      assert.equal(written.files.length, 7);
      const saved = JSON.parse(await readFile(written.runs[2]?.journal ?? '', 'utf8'));
      assert.equal(saved.verdict, 'aborted');
      assert.equal(XMLValidator.validate(await readFile(written.junit, 'utf8')), true);
      assert.match(await readFile(written.runs[1]?.html ?? '', 'utf8'), /<header class="verdict failed">/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
