import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Baseline, BaselineError, baselineFromJournals, parseBaseline, readBaseline } from '../src/gate/baseline.js';
import { compareWithBaseline, formatRegression } from '../src/gate/gate.js';
import { allJournals, expectation, journal } from './fixtures/journals.js';

const passed = () => journal('passed-breaker-opens');

describe('CI gate', () => {
  it('finds no regression when the run repeats the baseline', () => {
    const journals = allJournals();
    assert.deepEqual(compareWithBaseline(journals, baselineFromJournals(journals)), []);
  });

  it('always flags an expectation that passed in the baseline and now fails, naming its mechanism', () => {
    const baseline = baselineFromJournals([passed()]);
    const now = passed();
    Object.assign(expectation(now, 'breaker-opens'), { passed: false, measured: 6 });
    const [regression, ...rest] = compareWithBaseline([now], baseline);
    assert.equal(rest.length, 0);
    assert.deepEqual([regression?.kind, regression?.expectation, regression?.mechanism], ['now-failing', 'breaker-opens', 'breaker']);
    assert.equal(
      regression && formatRegression(regression),
      'payment-latency-breaker › breaker: breaker-opens (policies on): passed in the baseline, now fails its threshold ≤ 5 s — baseline 2 s (passed), now 6 s (failed)',
    );
  });

  it('flags a latency 40 % worse than the baseline but not one 10 % worse (25 % tolerance)', () => {
    const baseline = baselineFromJournals([passed()]);
    const at = (factor: number) => {
      const now = passed();
      expectation(now, 'p95-during').measured = 820 * factor;
      return compareWithBaseline([now], baseline);
    };
    const worse = at(1.4);
    assert.deepEqual(
      worse.map((r) => [r.kind, r.mechanism, r.expectation]),
      [['worse', 'latency', 'p95-during']],
    );
    assert.match(worse[0]?.reason ?? '', /^328 ms higher than the baseline .* allows 205 ms \(25 % of the baseline\)/);
    assert.deepEqual(at(1.1), []);
    assert.deepEqual(at(0.6), [], 'faster is never a regression');
  });

  it('reads direction from the threshold: a fallback percent that drops is worse, one that rises is not', () => {
    const baseline = baselineFromJournals([passed()]);
    baseline.tolerance.mechanisms.fallback = { relative: 0.05 };
    const at = (percent: number) => {
      const now = passed();
      expectation(now, 'fallback-pending').measured = percent;
      return compareWithBaseline([now], baseline);
    };
    assert.deepEqual(
      at(84).map((r) => [r.kind, r.mechanism]),
      [['worse', 'fallback']],
    );
    assert.match(at(84)[0]?.reason ?? '', /lower than the baseline/);
    assert.deepEqual(at(100), []);
  });

  it('keeps tiny values from flapping with a floor derived from the threshold', () => {
    const baseline = baselineFromJournals([passed()]);
    const now = passed();
    expectation(now, 'breaker-closes').measured = 2.4; // baseline 1 s: +140 %, but under 10 % of ≤ 15 s
    assert.deepEqual(compareWithBaseline([now], baseline), []);
    expectation(now, 'breaker-closes').measured = 2.6;
    assert.equal(compareWithBaseline([now], baseline)[0]?.kind, 'worse');
  });

  it('flags an experiment the run lacks, and one that ran only with the other policies', () => {
    const baseline = baselineFromJournals(allJournals());
    const regressions = compareWithBaseline([journal('failed-policies-off')], baseline);
    assert.deepEqual(
      regressions.map((r) => [r.kind, r.experiment, r.policies, r.reason]),
      [
        ['missing-experiment', 'payment-latency-breaker', 'on', 'ran only with policies off'],
        ['missing-experiment', 'product-down-bulkhead', 'on', 'the experiment did not run'],
      ],
    );
  });

  it('flags a run that aborted where the baseline completed', () => {
    const baseline = baselineFromJournals([passed()]);
    const now = passed();
    Object.assign(now, { verdict: 'aborted', abortReason: 'abort guard tripped' });
    assert.deepEqual(
      compareWithBaseline([now], baseline).map((r) => r.kind),
      ['run-stopped'],
    );
  });

  it('round-trips a baseline through its file and keeps per-expectation tolerances when regenerated', async () => {
    const file = join(tmpdir(), `faultline-baseline-${process.pid}.json`);
    try {
      const first = baselineFromJournals(allJournals());
      const run = first.runs[0];
      if (!run?.expectations['p95-during']) throw new Error('baseline lacks p95-during');
      run.expectations['p95-during'].tolerance = { relative: 0.5 };
      await writeFile(file, JSON.stringify(first));
      const read = await readBaseline(file);
      assert.deepEqual(read, first);
      assert.deepEqual(baselineFromJournals(allJournals(), read).runs[0]?.expectations['p95-during']?.tolerance, { relative: 0.5 });
    } finally {
      await rm(file, { force: true });
    }
  });

  it('names the field of a malformed baseline', async () => {
    const bad = baselineFromJournals([passed()]) as unknown as { runs: { expectations: Record<string, { measured: unknown }> }[] };
    const check = bad.runs[0]?.expectations['breaker-opens'];
    if (!check) throw new Error('baseline lacks breaker-opens');
    check.measured = 'fast';
    assert.throws(
      () => parseBaseline(bad, 'chaos/baseline.json'),
      (error: unknown) =>
        error instanceof BaselineError &&
        error.field === 'runs[0].expectations.breaker-opens.measured' &&
        error.message.startsWith('chaos/baseline.json: runs[0].expectations.breaker-opens.measured:'),
    );
    assert.throws(() => parseBaseline({ version: 2, runs: [] }), /version/);
    const file = join(tmpdir(), `faultline-bad-baseline-${process.pid}.json`);
    try {
      await writeFile(file, '{ "version": 1, ');
      await assert.rejects(readBaseline(file), (error: unknown) => error instanceof BaselineError && error.message.includes('is not JSON'));
    } finally {
      await rm(file, { force: true });
    }
  });

  it('fills in the default tolerances when the file leaves them out', () => {
    const baseline: Baseline = parseBaseline({ version: 1, runs: [] });
    assert.deepEqual(baseline.tolerance, { relative: 0.25, thresholdFraction: 0.1, mechanisms: { errors: { relative: 1 } } });
  });
});
