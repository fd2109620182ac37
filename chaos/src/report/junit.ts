import type { ExpectationResult, Journal } from '../journal.js';
import { escapeAttribute, escapeMarkup } from './escape.js';
import { formatMeasured, formatNumber, notJudged, runSeconds, stopReason } from './format.js';

interface Case {
  name: string;
  outcome?: { tag: 'failure' | 'error' | 'skipped'; type?: string; message: string; body?: string };
}

/**
 * JUnit XML for CI: one `<testsuite>` per run, one `<testcase>` per steady-state probe and per
 * expectation (`<mechanism>: <id> (<phase>)`, class `chaos.<experiment>`). A failure says
 * measured vs threshold; an aborted or errored run adds a `run` test case with an `<error>`,
 * and the expectations it never judged are skipped.
 */
export function toJUnit(journals: Journal[]): string {
  const suites = journals.map(suite);
  const total = (key: keyof Counts) => suites.reduce((sum, s) => sum + s.counts[key], 0);
  const time = journals.reduce((sum, j) => sum + runSeconds(j), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline chaos" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" skipped="${total('skipped')}" time="${formatNumber(time)}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function suite(journal: Journal): { xml: string; counts: Counts } {
  const cases = [...journal.steadyState.map(probeCase), ...journal.expectations.map((e) => expectationCase(journal, e))];
  const reason = stopReason(journal);
  if (reason !== undefined) cases.push({ name: 'run', outcome: { tag: 'error', type: journal.verdict, message: `${journal.verdict}: ${reason}` } });
  const count = (tag: string) => cases.filter((c) => c.outcome?.tag === tag).length;
  const counts = { tests: cases.length, failures: count('failure'), errors: count('error'), skipped: count('skipped') };
  const classname = `chaos.${journal.experiment}`;
  const properties = { title: journal.title, hypothesis: journal.hypothesis, policies: journal.policies, seed: journal.seed, verdict: journal.verdict };
  const attributes = [
    `name="${escapeAttribute(journal.experiment)}"`,
    `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}"`,
    `timestamp="${escapeAttribute(junitTimestamp(journal.startedAt))}"`,
    `time="${formatNumber(runSeconds(journal))}"`,
  ].join(' ');
  const xml = [
    `  <testsuite ${attributes}>`,
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => `      <property name="${name}" value="${escapeAttribute(value)}"/>`),
    '    </properties>',
    ...cases.map((c) => testcase(classname, c)),
    '  </testsuite>',
  ].join('\n');
  return { xml, counts };
}

function probeCase(probe: Journal['steadyState'][number]): Case {
  // The runner names the probes it repeats after the run `<probe> (after)`; the others ran before.
  const name = /\((before|after)\)$/.test(probe.probe) ? `steady-state: ${probe.probe}` : `steady-state: ${probe.probe} (before)`;
  if (probe.passed) return { name };
  return { name, outcome: { tag: 'failure', type: 'steady-state', message: `steady-state probe ${probe.probe} failed: measured ${probe.measured}` } };
}

function expectationCase(journal: Journal, e: ExpectationResult): Case {
  const name = `${e.mechanism}: ${e.id} (${e.phase})`;
  if (e.passed) return { name };
  if (notJudged(journal, e)) return { name, outcome: { tag: 'skipped', message: `not judged: the run was ${journal.verdict}` } };
  const message = `measured ${formatMeasured(e)}, threshold ${e.threshold}`;
  const body = [e.description, message, e.detail].filter(Boolean).join('\n');
  return { name, outcome: { tag: 'failure', type: e.mechanism, message, body } };
}

function testcase(classname: string, c: Case): string {
  const open = `    <testcase classname="${escapeAttribute(classname)}" name="${escapeAttribute(c.name)}"`;
  if (!c.outcome) return `${open}/>`;
  const { tag, type, message, body } = c.outcome;
  const typeAttribute = type ? ` type="${escapeAttribute(type)}"` : '';
  const inner = body ? `>${escapeMarkup(body)}</${tag}>` : '/>';
  return `${open}>\n      <${tag} message="${escapeAttribute(message)}"${typeAttribute}${inner}\n    </testcase>`;
}

/** The JUnit schema's timestamp: ISO 8601 without zone (UTC here) or fraction. */
function junitTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 19) : iso;
}
