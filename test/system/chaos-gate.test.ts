import assert from 'node:assert/strict';
import path from 'node:path';
import { formatRef, parseRef } from '@faultline/lab';
import { type Baseline, readBaseline } from '../../chaos/src/gate/baseline.js';
import { compareWithBaseline, formatRegression } from '../../chaos/src/gate/gate.js';
import { loadExperiments, runExperiment } from '../../chaos/src/index.js';
import type { Journal } from '../../chaos/src/journal.js';
import { writeReports } from '../../chaos/src/report/write-reports.js';
import type { Experiment } from '../../chaos/src/schema.js';
import { cfg, ensureShop } from './lab.js';

const reports = path.join(cfg.root, 'chaos', 'reports', 'gate');
const why = (journal: Journal) =>
  journal.error ??
  journal.expectations
    .filter((e) => !e.passed)
    .map((e) => `${e.mechanism} ${e.id} measured ${e.measured} ${e.unit}, ${e.threshold}${e.detail ? ` (${e.detail})` : ''}`)
    .join('; ');

describe('the CI gate: every mechanism, against the committed baseline', function () {
  this.timeout(20 * 60_000);
  let baseline: Baseline;
  let experiments: Map<string, Experiment>;

  before(async () => {
    await ensureShop();
    baseline = await readBaseline(path.join(cfg.root, 'chaos', 'baseline.json'));
    experiments = await loadExperiments(cfg.root);
  });

  it('verifies at least 8 distinct mechanisms', () => {
    const verified = new Set(baseline.runs.flatMap((run) => (experiments.get(run.experiment)?.verifies ?? []).map((ref) => parseRef(ref).mechanism)));
    assert.ok(verified.size >= 8, `the gate verifies only ${[...verified].join(', ')}`);
  });

  it('every gate experiment passes and no mechanism regressed against chaos/baseline.json', async () => {
    const journals: Journal[] = [];
    for (const run of baseline.runs) {
      const experiment = experiments.get(run.experiment);
      assert.ok(experiment, `the baseline names ${run.experiment}, which is not in chaos/experiments`);
      journals.push(await runExperiment(cfg, run.experiment, experiment, { policies: run.policies, seed: 1, scale: run.scale }));
    }
    await writeReports(journals, reports);
    const regressions = compareWithBaseline(journals, baseline);
    assert.deepEqual(regressions.map(formatRegression), [], 'resilience regressions (reports in chaos/reports/gate)');
    for (const journal of journals) assert.equal(journal.verdict, 'passed', `${journal.experiment}: ${why(journal)}`);
  });

  // With one mechanism knocked out, the experiment of the gate that verifies it must regress on
  // an expectation of that very mechanism: proof that the gate can tell it is gone. These runs are
  // shortened (the knocked-out mechanism's expectation fails at any length), which keeps npm test
  // within its time while the gate itself runs every experiment at the baseline's length.
  const KNOCKOUT_SCALE = 0.6;
  for (const text of ['breaker payment→providers', 'timeout payment→providers', 'bulkhead order→product']) {
    it(`fails naming the mechanism when ${text} is knocked out`, async () => {
      const ref = parseRef(text);
      const run = baseline.runs.find((r) => experiments.get(r.experiment)?.verifies.some((v) => formatRef(parseRef(v)) === formatRef(ref)));
      assert.ok(run, `no gate experiment verifies ${text}`);
      const experiment = experiments.get(run.experiment) as Experiment;
      const journal = await runExperiment(cfg, run.experiment, experiment, {
        policies: run.policies,
        seed: 1,
        scale: KNOCKOUT_SCALE * run.scale,
        knockout: ref,
      });
      await writeReports([journal], path.join(reports, 'knockouts'));
      assert.notEqual(journal.verdict, 'error', journal.error);
      const regressions = compareWithBaseline([journal], { ...baseline, runs: [run] });
      const own: string[] = journal.expectations.filter((e) => e.verifies === formatRef(ref)).map((e) => e.id);
      const named = regressions.filter((r) => r.expectation !== undefined && own.includes(r.expectation));
      assert.ok(
        named.length > 0,
        `knocking out ${text} regressed only ${regressions.map(formatRegression).join('; ') || 'nothing'} (its own expectations: ${own.join(', ')})`,
      );
    });
  }
});
