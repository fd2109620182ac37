import assert from 'node:assert/strict';
import path from 'node:path';
import { readBaseline } from '../../chaos/src/gate/baseline.js';
import { compareWithBaseline, formatRegression } from '../../chaos/src/gate/gate.js';
import { loadExperiments, runExperiment } from '../../chaos/src/index.js';
import type { Journal } from '../../chaos/src/journal.js';
import { writeReports } from '../../chaos/src/report/write-reports.js';
import { cfg, ensureShop } from './lab.js';

describe('the CI gate: the experiments that matter most, against the committed baseline', function () {
  this.timeout(15 * 60_000);

  it('every gate experiment passes and no mechanism regressed against chaos/baseline.json', async () => {
    await ensureShop();
    const baseline = await readBaseline(path.join(cfg.root, 'chaos', 'baseline.json'));
    const experiments = await loadExperiments(cfg.root);
    const journals: Journal[] = [];
    for (const run of baseline.runs) {
      const experiment = experiments.get(run.experiment);
      assert.ok(experiment, `the baseline names ${run.experiment}, which is not in chaos/experiments`);
      journals.push(await runExperiment(cfg, run.experiment, experiment, { policies: run.policies, seed: 1 }));
    }
    await writeReports(journals, path.join(cfg.root, 'chaos', 'reports', 'gate'));
    const regressions = compareWithBaseline(journals, baseline);
    assert.deepEqual(regressions.map(formatRegression), [], 'resilience regressions (reports in chaos/reports/gate)');
    for (const journal of journals)
      assert.equal(
        journal.verdict,
        'passed',
        `${journal.experiment}: ${
          journal.error ??
          journal.expectations
            .filter((e) => !e.passed)
            .map((e) => `${e.mechanism} ${e.id} measured ${e.measured} ${e.unit}, ${e.threshold}`)
            .join('; ')
        }`,
      );
  });
});
