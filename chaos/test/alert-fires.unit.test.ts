import assert from 'node:assert/strict';
import type { ActiveAlert } from '@faultline/lab';
import { loadConfig } from '@faultline/lab';
import { evaluate, type Observations } from '../src/expectations/index.js';
import type { Journal } from '../src/journal.js';
import { toHtml } from '../src/report/html.js';
import { type Expectation, experimentSchema } from '../src/schema.js';
import { alertsSeen } from '../src/timeline.js';
import { journal } from './fixtures/journals.js';

// Epoch seconds of a run that ended just now, sampled every second up to now: judging never waits.
// Set before each test, since judging compares the samples with the clock.
let LOAD_START = 0;
let FAULT = { id: 'outage', start: 0, end: 0 };

const experiment = experimentSchema.parse({
  title: 'alerts',
  description: 'unit fixture',
  load: { rate: 1, duration: 60 },
  faults: [{ id: 'outage', edge: 'payment__providers', toxic: 'down', start: 10, duration: 30 }],
  expectations: [{ id: 'fires', kind: 'alert-fires', phase: 'during', alert: 'BreakerOpenTooLong', labels: { application: 'payment' }, within: 30 }],
});
const expectation = experiment.expectations[0] as Expectation;

const alert = (state: ActiveAlert['state'], activeAt: number, labels: Record<string, string> = { application: 'payment', name: 'providers' }): ActiveAlert => ({
  name: 'BreakerOpenTooLong',
  labels: { ...labels, severity: 'warning' },
  state,
  activeAt,
});

/** Observations with one alert sample a second from the start of the load, as `at(second)` returns them. */
function observed(at: (second: number) => ActiveAlert[], missing: (second: number) => boolean = () => false): Observations {
  const alerts = Array.from({ length: 120 }, (_, s) => ({ at: LOAD_START + s, alerts: at(s) })).filter((_, s) => !missing(s));
  return {
    cfg: loadConfig(),
    experiment,
    loadStart: LOAD_START,
    loadEnd: LOAD_START + 60,
    faults: [FAULT],
    hits: [],
    breakers: [],
    inFlight: [],
    alerts,
    deadLettersAtStart: {},
  };
}

describe('expectation alert-fires (read from the alerts API samples)', () => {
  beforeEach(() => {
    LOAD_START = Math.floor(Date.now() / 1000) - 120;
    FAULT = { id: 'outage', start: LOAD_START + 10, end: LOAD_START + 40 };
  });

  it('passes when the alert becomes active after the fault and fires within the bound, measuring from the fault start', async () => {
    const obs = observed((s) => (s >= 28 ? [alert('firing', FAULT.start + 12)] : s >= 22 ? [alert('pending', FAULT.start + 12)] : []));
    const result = await evaluate(obs, expectation);
    assert.equal(result.passed, true);
    assert.equal(result.mechanism, 'alerting');
    assert.equal(result.measured, 18);
    assert.match(result.detail ?? '', /pending after 12 s, firing after 18 s/);
  });

  it('fails when it fires only after the bound', async () => {
    const result = await evaluate(
      observed((s) => (s >= 45 ? [alert('firing', FAULT.start + 20)] : [])),
      expectation,
    );
    assert.equal(result.passed, false);
    assert.equal(result.measured, 35);
  });

  it('fails when the alert was already active before the fault: not this fault’s doing', async () => {
    const result = await evaluate(
      observed(() => [alert('firing', LOAD_START - 100)]),
      expectation,
    );
    assert.equal(result.passed, false);
    assert.equal(result.measured, null);
    assert.match(result.detail ?? '', /already active 110 s before the fault/);
  });

  it('fails when it only ever was pending, or fired with other labels, and says which', async () => {
    const pending = await evaluate(
      observed((s) => (s >= 20 ? [alert('pending', FAULT.start + 10)] : [])),
      expectation,
    );
    assert.equal(pending.passed, false);
    assert.match(pending.detail ?? '', /pending from 10 s but never firing/);
    const elsewhere = await evaluate(
      observed((s) => (s >= 20 ? [alert('firing', FAULT.start + 5, { application: 'order', name: 'payment' })] : [])),
      expectation,
    );
    assert.equal(elsewhere.passed, false);
    assert.match(elsewhere.detail ?? '', /never became active/);
  });

  it('alert-quiet passes when the alert never fires in the phase, and fails naming it when it does', async () => {
    const quiet = experimentSchema.parse({
      ...experiment,
      expectations: [{ id: 'quiet', kind: 'alert-quiet', phase: 'during', alert: 'BreakerOpenTooLong' }],
    }).expectations[0] as Expectation;
    // Pending is not firing; an alert already firing before the load is an earlier run's.
    const calm = await evaluate(
      observed((s) => [
        ...(s >= 15 && s < 30 ? [alert('pending', FAULT.start + 5)] : []),
        { ...alert('firing', LOAD_START - 300), labels: { application: 'payment', name: 'providers' } },
      ]),
      quiet,
    );
    assert.equal(calm.passed, true, calm.detail);
    assert.equal(calm.measured, 0);
    const paged = await evaluate(
      observed((s) => (s >= 50 ? [alert('firing', FAULT.start + 25)] : [])),
      quiet,
    );
    assert.equal(paged.passed, false);
    assert.equal(paged.measured, 1);
    assert.match(paged.detail ?? '', /BreakerOpenTooLong\{application="payment".*firing 50 s into the load/);
  });

  it('neither kind passes over a hole in the samples (the alerts API did not answer): it says so', async () => {
    const quiet = experimentSchema.parse({
      ...experiment,
      expectations: [{ id: 'quiet', kind: 'alert-quiet', phase: 'during', alert: 'BreakerOpenTooLong' }],
    }).expectations[0] as Expectation;
    const hole = (s: number) => s >= 20 && s < 50;
    for (const e of [quiet, expectation]) {
      const judged = await evaluate(
        observed(() => [], hole),
        e,
      );
      assert.equal(judged.passed, false, e.kind);
      assert.equal(judged.measured, null);
      assert.match(judged.detail ?? '', /no alert samples for (21|31) s/, e.kind);
    }
  });

  it('lists every alert seen once, with pending, firing and last-seen times from the load start', () => {
    const samples = [
      { at: LOAD_START + 5, alerts: [alert('pending', LOAD_START + 4)] },
      {
        at: LOAD_START + 6,
        alerts: [alert('firing', LOAD_START + 4), { ...alert('pending', LOAD_START + 6), name: 'ServiceDown', labels: { service: 'order' } }],
      },
      { at: LOAD_START + 7, alerts: [alert('firing', LOAD_START + 4)] },
    ];
    assert.deepEqual(alertsSeen(LOAD_START, samples), [
      { alert: 'BreakerOpenTooLong', labels: { application: 'payment', name: 'providers', severity: 'warning' }, activeAt: 4, firingAt: 6, lastSeenAt: 7 },
      { alert: 'ServiceDown', labels: { service: 'order' }, activeAt: 6, firingAt: null, lastSeenAt: 6 },
    ]);
  });

  it('the HTML report has an Alerts section listing them', () => {
    const withAlerts: Journal = {
      ...journal('passed-breaker-opens'),
      alerts: [{ alert: 'BreakerOpenTooLong', labels: { application: 'payment' }, activeAt: 14.2, firingAt: 29.3, lastSeenAt: 40 }],
    };
    const html = toHtml(withAlerts);
    assert.match(html, /<h2>Alerts<\/h2><table>.*BreakerOpenTooLong.*application=payment.*14\.2 s.*29\.3 s/s);
    assert.match(toHtml(journal('passed-breaker-opens')), /no pending or firing alert/);
  });

  it('the schema refuses an alert expectation without a bound or with a bad name', () => {
    const base = { title: 't', description: 'd', load: { rate: 1, duration: 60 }, faults: experiment.faults };
    const bad = (e: Record<string, unknown>) =>
      experimentSchema.safeParse({ ...base, expectations: [{ id: 'x', phase: 'during', kind: 'alert-fires', ...e }] }).success;
    assert.equal(bad({ alert: 'ServiceDown' }), false);
    assert.equal(bad({ alert: 'not a name', within: 10 }), false);
    assert.equal(bad({ alert: 'ServiceDown', within: 10 }), true);
  });
});
