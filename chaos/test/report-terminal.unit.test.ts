import assert from 'node:assert/strict';
import { summaryTable, verdictLine } from '../src/report/terminal.js';
import { allJournals, journal } from './fixtures/journals.js';

// picocolors colours only on a TTY; strip escapes in case the tests run in one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('terminal summary', () => {
  it('lists every run with its policies, verdict and one line per check', () => {
    const table = plain(summaryTable(allJournals()));
    for (const text of ['payment-latency-breaker', 'product-down-bulkhead', '✓ PASSED', '✗ FAILED', '⚠ ABORTED']) assert.ok(table.includes(text), text);
    const fallback = table.split('\n').find((line) => line.includes('fallback-pending (during)') && line.includes('92.5 %'));
    assert.ok(fallback, 'the passing fallback line');
    assert.match(fallback, /fallback.*≥ 80 %.*✓/);
    assert.ok(table.split('\n').some((line) => /latency.*p95-during.*3240 ms.*≤ 1500 ms.*✗/.test(line)));
  });

  it('says in one line which expectations failed, by mechanism', () => {
    const line = plain(verdictLine(journal('failed-policies-off')));
    assert.equal(
      line,
      '✗ FAILED payment-latency-breaker (policies off) — 2/7 expectations, 2/2 probes, 74.9 s — failed: breaker:breaker-opens, breaker:breaker-closes, fallback:fallback-pending, latency:p95-during, invariants:audit-clean',
    );
  });

  it('gives the reason an aborted run stopped', () => {
    assert.match(plain(verdictLine(journal('aborted-product-down'))), /^⚠ ABORTED product-down-bulkhead .* — abort guard 'error-rate-runaway' tripped/);
  });
});
