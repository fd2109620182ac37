import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { toJUnit } from '../src/report/junit.js';
import { allJournals, journal } from './fixtures/journals.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });

interface TestCase {
  classname: string;
  name: string;
  failure?: { message: string; type: string; '#text'?: string };
  error?: { message: string; type: string };
  skipped?: { message: string };
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  timestamp: string;
  time: string;
  testcase: TestCase[];
}

function parse(xml: string): { testsuites: { tests: string; failures: string; errors: string; testsuite: Suite[] } } {
  assert.equal(XMLValidator.validate(xml), true);
  return parser.parse(xml);
}

describe('JUnit report', () => {
  it('has one suite per run and counts tests, failures, errors and skips', () => {
    const { testsuites } = parse(toJUnit(allJournals()));
    assert.deepEqual(
      testsuites.testsuite.map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped]),
      [
        ['payment-latency-breaker', '9', '0', '0', '0'],
        ['payment-latency-breaker', '9', '5', '0', '0'],
        ['product-down-bulkhead', '6', '0', '1', '2'],
      ],
    );
    assert.deepEqual([testsuites.tests, testsuites.failures, testsuites.errors], ['24', '5', '1']);
  });

  it('names test cases by mechanism, id and phase, with the experiment as class', () => {
    const [suite] = parse(toJUnit([journal('passed-breaker-opens')])).testsuites.testsuite;
    assert.equal(suite?.timestamp, '2025-11-24T10:00:00');
    assert.equal(suite?.time, '72.4');
    const names = suite?.testcase.map((c) => c.name);
    assert.ok(names?.includes('breaker: breaker-opens (during)'));
    assert.ok(names?.includes('steady-state: gateway-ready (before)'));
    assert.ok(suite?.testcase.every((c) => c.classname === 'chaos.payment-latency-breaker'));
  });

  it('names a probe repeated after the run once by its phase, not "(after) (before)"', () => {
    const run = structuredClone(journal('passed-breaker-opens'));
    const [probe] = run.steadyState;
    assert.ok(probe);
    run.steadyState.push({ ...probe, probe: `${probe.probe} (after)` });
    const names = parse(toJUnit([run])).testsuites.testsuite[0]?.testcase.map((c) => c.name) ?? [];
    assert.ok(names.includes('steady-state: gateway-ready (before)'), names.join(', '));
    assert.ok(names.includes('steady-state: gateway-ready (after)'), names.join(', '));
    assert.deepEqual(
      names.filter((n) => /\) \(/.test(n)),
      [],
    );
  });

  it('says measured vs threshold in a failure', () => {
    const [suite] = parse(toJUnit([journal('failed-policies-off')])).testsuites.testsuite;
    const latency = suite?.testcase.find((c) => c.name === 'latency: p95-during (during)');
    assert.equal(latency?.failure?.message, 'measured 3240 ms, threshold ≤ 1500 ms');
    assert.equal(latency?.failure?.type, 'latency');
    const audit = suite?.testcase.find((c) => c.name.startsWith('invariants: audit-clean'));
    assert.match(audit?.failure?.['#text'] ?? '', /3 orders stuck/);
  });

  it('reports an aborted run as an error and its unjudged expectations as skipped', () => {
    const [suite] = parse(toJUnit([journal('aborted-product-down')])).testsuites.testsuite;
    const run = suite?.testcase.find((c) => c.name === 'run');
    assert.equal(run?.error?.type, 'aborted');
    assert.match(run?.error?.message ?? '', /error-rate-runaway/);
    assert.equal(suite?.testcase.find((c) => c.name.includes('fallback-catalogue'))?.skipped?.message, 'not judged: the run was aborted');
  });

  it('escapes markup and drops characters XML cannot hold', () => {
    const j = journal('failed-policies-off');
    j.title = '<script>alert("x")</script>';
    j.experiment = 'a&b"<c>';
    const first = j.expectations[0];
    if (!first) throw new Error('fixture has no expectations');
    first.detail = 'body </failure> & "quotes"\u0001 and \'apostrophes\'';
    first.id = 'id<&>';
    const xml = toJUnit([j]);
    assert.ok(!xml.includes('<script>'));
    const [suite] = parse(xml).testsuites.testsuite;
    assert.equal(suite?.name, 'a&b"<c>');
    const escaped = suite?.testcase.find((c) => c.name === 'breaker: id<&> (during)');
    assert.match(escaped?.failure?.['#text'] ?? '', /body <\/failure> & "quotes" and 'apostrophes'/);
  });
});
