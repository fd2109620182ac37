import assert from 'node:assert/strict';
import { INTACT, isProven, judgeCell, proveHtml, proveLines } from '../src/prove.js';
import { expectation, journal } from './fixtures/journals.js';

const BREAKER = 'breaker payment→providers';

/** The passing fixture, its breaker expectations marked as verifying the payment breaker. */
function run() {
  const j = journal('passed-breaker-opens');
  for (const e of j.expectations) if (e.kind.startsWith('breaker')) e.verifies = BREAKER;
  return j;
}

describe('chaos prove: a knock-out counts only when its own mechanism’s expectation fails', () => {
  it('an intact run that passes is a pass; one that fails is a failure of the experiment itself', () => {
    assert.equal(judgeCell(run(), INTACT).status, 'passed');
    const failed = run();
    failed.verdict = 'failed';
    expectation(failed, 'p95-during').passed = false;
    const cell = judgeCell(failed, INTACT);
    assert.equal(cell.status, 'failed-intact');
    assert.match(cell.alsoFailed.join(), /p95-during/);
  });

  it('caught: the knocked-out mechanism’s expectation failed', () => {
    const j = run();
    j.verdict = 'failed';
    Object.assign(expectation(j, 'breaker-opens'), { passed: false, measured: null });
    const cell = judgeCell(j, BREAKER);
    assert.equal(cell.status, 'caught');
    assert.match(cell.caughtBy.join(), /^breaker-opens/);
  });

  it('missed: the run passed, or failed only on another mechanism’s expectation', () => {
    assert.equal(judgeCell(run(), BREAKER).status, 'missed');
    const j = run();
    j.verdict = 'failed';
    expectation(j, 'p95-during').passed = false;
    const cell = judgeCell(j, BREAKER);
    assert.equal(cell.status, 'missed');
    assert.equal(cell.detail, 'failed, but only on expectations of other mechanisms');
  });

  it('an errored run proves nothing; the matrix is proven only when every cell passed or was caught', () => {
    const broken = run();
    broken.verdict = 'error';
    broken.error = 'k6 failed';
    assert.equal(judgeCell(broken, BREAKER).status, 'error');
    const caught = run();
    caught.verdict = 'failed';
    expectation(caught, 'breaker-opens').passed = false;
    const cells = [judgeCell(run(), INTACT), judgeCell(caught, BREAKER)];
    assert.equal(isProven(cells), true);
    assert.equal(isProven([...cells, judgeCell(run(), BREAKER)]), false);
    assert.equal(isProven([]), false, 'an empty matrix proves nothing');
    const report = { startedAt: 'a', endedAt: 'b', scale: 1, cells, proven: true };
    assert.match(proveLines(report).at(-1) ?? '', /1\/1 knock-outs caught .* 1\/1 intact runs passed — PROVEN/);
    assert.match(
      proveHtml(report, () => 'x.html'),
      /<a href="x.html">caught<\/a>/,
    );
  });
});
