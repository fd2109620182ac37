import assert from 'node:assert/strict';
import { judgeStep, type K6Summary, stepFigures } from '../src/perf/k6-step.js';
import { cpuBetween, cpuReading, groupProcesses, type ProcStat, parseSmapsRollup, parseStat } from '../src/perf/procfs.js';
import { cpuPerCheckout, type StepResult } from '../src/perf/shop-bench.js';
import { sumSamples } from '../src/perf/spans.js';
import { capacityOf, nextRate, type StepOutcome, type StepSearchOptions } from '../src/perf/step-search.js';

const options: StepSearchOptions = { startRate: 10, growth: 2, precision: 0.1, maxSteps: 10, maxRate: 400, minRate: 1 };

/** Run the search against a shop that sustains every rate up to `knee`. */
function search(knee: number, opts = options): StepOutcome[] {
  const steps: StepOutcome[] = [];
  for (let rate = nextRate(steps, opts); rate !== undefined; rate = nextRate(steps, opts)) steps.push({ rate, sustained: rate <= knee });
  return steps;
}

describe('step search for the highest sustained rate', () => {
  it('grows until a step fails, then bisects to within the precision', () => {
    const steps = search(57);
    assert.deepEqual(
      steps.map((s) => s.rate),
      [10, 20, 40, 80, 60, 50, 55],
    );
    assert.equal(capacityOf(steps), 55);
  });

  it('stops at the step budget and reports the best sustained rate so far', () => {
    const steps = search(57, { ...options, maxSteps: 5 });
    assert.equal(steps.length, 5);
    assert.equal(capacityOf(steps), 40);
  });

  it('shrinks while nothing is sustained, and reports 0 when even the minimum fails', () => {
    const steps = search(0);
    assert.deepEqual(
      steps.map((s) => s.rate),
      [10, 5, 2, 1],
    );
    assert.equal(capacityOf(steps), 0);
  });

  it('never offers more than the maximum rate', () => {
    const steps = search(10_000);
    assert.equal(Math.max(...steps.map((s) => s.rate)), 400);
    assert.equal(capacityOf(steps), 400);
  });

  it('ignores a failure below a sustained rate (noise) when it brackets', () => {
    const steps: StepOutcome[] = [
      { rate: 10, sustained: true },
      { rate: 20, sustained: false },
      { rate: 15, sustained: true },
      { rate: 12, sustained: false },
    ];
    assert.equal(nextRate(steps, options), 18);
    assert.equal(capacityOf(steps), 15);
  });
});

describe('/proc parsing', () => {
  it('reads a stat line whose name holds spaces and parentheses', () => {
    const line = '4242 (Web Content (x)) S 17 4242 17 0 -1 4194560 900 0 0 0 250 75 12 3 20 0 9 0 123456 3133440 417 18446744073709551615';
    const stat = parseStat(line);
    assert.deepEqual(stat, { pid: 4242, comm: 'Web Content (x)', ppid: 17, cpuMs: 3250, childrenCpuMs: 150, startTicks: 123456 });
  });

  it('rejects a line that is not a stat line', () => {
    assert.equal(parseStat('not a stat line'), undefined);
    assert.equal(parseStat('12 (x) S'), undefined);
  });

  it('reads RSS and PSS from smaps_rollup, in bytes', () => {
    const text =
      '5631eb552000-7fff103e3000 ---p 00000000 00:00 0   [rollup]\nRss:                1760 kB\nPss:                 267 kB\nPss_Dirty:           112 kB\n';
    assert.deepEqual(parseSmapsRollup(text), { rss: 1760 * 1024, pss: 267 * 1024 });
    assert.equal(parseSmapsRollup('Rss: 1 kB\n'), undefined);
  });

  const proc = (pid: number, ppid: number, cpuMs = 0, childrenCpuMs = 0, startTicks = 1): ProcStat => ({
    pid,
    ppid,
    comm: `p${pid}`,
    cpuMs,
    childrenCpuMs,
    startTicks,
  });

  it('groups each root with its descendants, each process counted once', () => {
    const stats = new Map([proc(1, 0), proc(10, 1), proc(11, 10), proc(12, 11), proc(20, 1), proc(21, 20), proc(30, 1)].map((p) => [p.pid, p]));
    const groups = groupProcesses(stats, [
      { name: 'postgres', pids: [10] },
      { name: 'rabbitmq', pids: [20, 21] },
      { name: 'again', pids: [11] },
      { name: 'gone', pids: [99] },
    ]);
    assert.deepEqual(Object.fromEntries(groups), { postgres: [10, 11, 12], rabbitmq: [20, 21], again: [], gone: [] });
  });

  it('counts the CPU a group used between two readings, new and exited children included', () => {
    const before = cpuReading(new Map([proc(10, 1, 1000, 200), proc(11, 10, 500)].map((p) => [p.pid, p])), [10, 11]);
    // 11 exited (its time moved to 10's children time), 12 is new, 13 reuses a pid with another start time.
    const after = cpuReading(new Map([proc(10, 1, 1300, 900), proc(12, 10, 40), proc(13, 10, 7, 0, 5)].map((p) => [p.pid, p])), [10, 12, 13]);
    assert.equal(cpuBetween(before, after), 300 + 700 + 40 + 7);
  });
});

describe('a benchmark step judged from its k6 summary', () => {
  const summary = (p99: number, failed: number, dropped = 0): K6Summary => ({
    metrics: {
      iterations: { values: { count: 300 } },
      dropped_iterations: { values: { count: dropped } },
      'http_reqs{name:place order}': { values: { count: 298 } },
      http_reqs: { values: { count: 600 } },
      http_req_duration: { values: { 'p(50)': 40, 'p(99)': p99 } },
      http_req_failed: { values: { rate: failed } },
      checks: { values: { rate: 1 } },
    },
  });

  it('is sustained at p99 ≤ 500 ms, < 0.1 % errors and (almost) nothing dropped', () => {
    const figures = stepFigures(summary(480, 0), 30, 10);
    assert.equal(figures.achieved, 30);
    assert.equal(figures.checkouts, 298);
    assert.deepEqual(judgeStep(figures), { sustained: true, reasons: [] });
  });

  it('names every limit a step broke', () => {
    const { sustained, reasons } = judgeStep(stepFigures(summary(900, 0.002, 20), 32, 10));
    assert.equal(sustained, false);
    assert.deepEqual(reasons, ['p99 900 ms > 500 ms', 'errors 0.20 % ≥ 0.1 %', '20 iterations dropped (no free virtual user)']);
  });

  it('counts failed checks as errors, and a step without requests as not sustained', () => {
    const failedChecks = summary(100, 0);
    failedChecks.metrics.checks = { values: { rate: 0.99 } };
    assert.equal(stepFigures(failedChecks, 30, 10).errorRate.toFixed(2), '0.01');
    assert.equal(judgeStep(stepFigures({ metrics: {} }, 30, 10)).sustained, false);
  });
});

describe('Prometheus text samples', () => {
  it('sums a metric over its label sets, optionally only the matching ones', () => {
    const text = [
      '# TYPE telemetry_spans_total counter',
      'telemetry_spans_total{outcome="ended",application="order"} 120',
      'telemetry_spans_total{outcome="exported",application="order"} 100',
      'telemetry_spans_total_created{outcome="ended"} 5',
      'otelcol_receiver_accepted_spans_total{receiver="otlp"} 7',
      'otelcol_receiver_accepted_spans_total{receiver="jaeger"} 3',
    ].join('\n');
    assert.equal(sumSamples(text, 'telemetry_spans_total', /outcome="exported"/), 100);
    assert.equal(sumSamples(text, 'telemetry_spans_total'), 220);
    assert.equal(sumSamples(text, 'otelcol_receiver_accepted_spans(?:_total)?'), 10);
  });
});

describe('CPU per checkout', () => {
  const step = (rate: number, sustained: boolean, checkouts: number, cpuMs: Record<string, number>): StepResult => ({
    rate,
    sustained,
    seconds: 10,
    cpuMs,
    reasons: [],
    figures: { offered: rate, achieved: rate, iterations: checkouts, dropped: 0, checkouts, requests: checkouts * 2, p50Ms: 20, p99Ms: 100, errorRate: 0 },
  });

  it('is read at the highest sustained step, net of what each process uses idle', () => {
    const perCheckout = cpuPerCheckout({
      idleMsPerSec: { order: 5, jaeger: 50 },
      steps: [
        step(10, true, 100, { order: 2050, jaeger: 100 }),
        step(20, true, 200, { order: 4050, jaeger: 900 }),
        step(40, false, 300, { order: 9000, jaeger: 0 }),
      ],
    });
    assert.deepEqual(perCheckout, { order: 20, jaeger: 2 });
  });

  it('is undefined when no step was sustained', () => {
    assert.equal(cpuPerCheckout({ idleMsPerSec: {}, steps: [step(5, false, 50, { order: 100 })] }), undefined);
  });
});
