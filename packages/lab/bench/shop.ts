/**
 * `npm run bench:shop` — the shop's capacity through the gateway, with full telemetry and with
 * tracing off, side by side in one run: the highest rate sustained at p99 ≤ 500 ms and < 0.1 %
 * errors (stepped k6 arrival rates, checkout-only and the mixed shopper), the on/off ratio, spans
 * per checkout (and spans exported against spans Jaeger accepted), and CPU ms per checkout by
 * process from /proc. Brings the lab up when it is not; bounded by steps and step length.
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import pc from 'picocolors';
import { loadConfig, userPath } from '../src/index.js';
import { benchSessions } from '../src/perf/sessions.js';
import {
  cpuPerCheckout,
  idleCpu,
  type Journey,
  prepareLab,
  restoreAmbientTraffic,
  runStep,
  type SearchResult,
  searchCapacity,
  type TelemetryMode,
} from '../src/perf/shop-bench.js';
import { anyProductId, type CheckoutTrace, jaegerSpanCounts, probeCheckoutTrace, servicesSpanCounts } from '../src/perf/spans.js';
import { elapsed } from '../src/proc.js';
import { table } from '../src/ui/table.js';

const list =
  <T extends string>(allowed: readonly T[]) =>
  (text: string) => {
    const items = text.split(',').map((s) => s.trim()) as T[];
    const wrong = items.filter((i) => !allowed.includes(i));
    if (wrong.length) throw new Error(`unknown ${wrong.join(', ')}: choose from ${allowed.join(', ')}`);
    return items;
  };

const options = new Command('bench:shop')
  .description("the shop's capacity with full telemetry and with tracing off (loopback only, bounded)")
  .option('--quick', 'a short run: 5 s steps, at most 4 per search')
  .option('--seconds <n>', 'seconds per step', (v) => Number(v))
  .option('--max-steps <n>', 'steps per search', (v) => Number(v))
  .option('--start-rate <n>', 'first rate tried (iterations/s)', (v) => Number(v), 10)
  .option('--max-rate <n>', 'never offer more than this', (v) => Number(v), 400)
  .option('--vus <n>', 'virtual users (one logged-in customer each)', (v) => Number(v), 160)
  .addOption(new Option('--journeys <list>', 'checkout, shopper').argParser(list(['checkout', 'shopper'] as const)).default(['checkout', 'shopper']))
  .addOption(new Option('--telemetry <list>', 'on, off').argParser(list(['on', 'off'] as const)).default(['on', 'off']))
  .option('--json <file>', 'write the results as JSON here (default .faultline/bench/shop-<time>.json)')
  .parse()
  .opts<{
    quick?: boolean;
    seconds?: number;
    maxSteps?: number;
    startRate: number;
    maxRate: number;
    vus: number;
    journeys: Journey[];
    telemetry: TelemetryMode[];
    json?: string;
  }>();

const cfg = loadConfig();
const seconds = options.seconds ?? (options.quick ? 5 : 10);
const maxSteps = options.maxSteps ?? (options.quick ? 4 : 6);
const started = Date.now();
const loadAtStart = loadavg();
const say = (line: string) => console.log(`  … ${line}`);
const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(
  `bench:shop — ${options.journeys.join(' and ')} with telemetry ${options.telemetry.join(' and ')}; ${seconds} s steps, at most ${maxSteps} per search; load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`,
);
let trafficRan = false;
const results: SearchResult[] = [];
const spans: {
  trace?: CheckoutTrace;
  exported: number;
  ended: number;
  failed: number;
  accepted: number;
  refused: number;
  checkouts: number;
  checkoutAccepted: number;
} = {
  exported: 0,
  ended: 0,
  failed: 0,
  accepted: 0,
  refused: 0,
  checkouts: 0,
  checkoutAccepted: 0,
};
const lastCapacity: Partial<Record<Journey, number>> = {};

for (const telemetry of options.telemetry) {
  console.log(pc.bold(`\ntelemetry ${telemetry}`));
  trafficRan = (await prepareLab(cfg, telemetry, say)) || trafficRan;
  const sessionsFile = await benchSessions(cfg, options.vus, say);
  say('measuring the idle lab for 5 s (its CPU use is taken off every step)');
  await sleep(3000); // what the restart or the last mode left to do
  const idleMsPerSec = await idleCpu(cfg, 5);
  const servicesBefore = await servicesSpanCounts(cfg);
  const jaegerBefore = await jaegerSpanCounts(cfg);
  for (const journey of options.journeys) {
    const spansAtStart = telemetry === 'on' && journey === 'checkout' ? await jaegerSpanCounts(cfg) : undefined;
    say(`${journey}: warming up (5 s at 5/s, not judged)`);
    const warmUp = await runStep(cfg, { journey, rate: 5, seconds: 5, sessionsFile, sessions: options.vus });
    if (spansAtStart) spans.checkouts += warmUp.figures.iterations;
    const result = await searchCapacity(cfg, {
      journey,
      telemetry,
      seconds,
      sessionsFile,
      sessions: options.vus,
      idleMsPerSec,
      restSeconds: 2,
      search: { startRate: lastCapacity[journey] ?? options.startRate, growth: 2, precision: 0.1, maxSteps, maxRate: options.maxRate, minRate: 1 },
      onStep: (step, index) => {
        const f = step.figures;
        const verdict = step.sustained ? pc.green('sustained') : pc.red(`not sustained: ${step.reasons.join('; ')}`);
        say(
          `${journey} step ${index}: ${fmt(f.offered)}/s offered → ${fmt(f.achieved, 1)}/s ran, p50 ${fmt(f.p50Ms)} ms, p99 ${fmt(f.p99Ms)} ms, errors ${fmt(f.errorRate * 100, 2)} % — ${verdict}`,
        );
        if (spansAtStart) spans.checkouts += f.iterations;
      },
    });
    if (spansAtStart) {
      await sleep(3000); // the batch processors' 1 s delay and Jaeger's 1 s batch
      spans.checkoutAccepted = (await jaegerSpanCounts(cfg)).accepted - spansAtStart.accepted;
    }
    lastCapacity[journey] = result.capacity || undefined;
    results.push(result);
    say(`${journey} with telemetry ${telemetry}: ${pc.bold(`${fmt(result.capacity)}/s`)} (${fmt(result.checkoutsPerSec, 1)} checkouts/s)`);
  }
  if (telemetry === 'on') {
    say('spans: one probe checkout traced, then exported against accepted');
    const productId = await anyProductId(cfg);
    const session = (JSON.parse(await readFile(sessionsFile, 'utf8')) as { email: string; token: string }[])[0];
    if (productId && session) spans.trace = await probeCheckoutTrace(cfg, session, productId);
    await sleep(3000); // the batch processors' 1 s delay and Jaeger's 1 s batch
    const servicesAfter = await servicesSpanCounts(cfg);
    const jaegerAfter = await jaegerSpanCounts(cfg);
    spans.ended = servicesAfter.ended - servicesBefore.ended;
    spans.exported = servicesAfter.exported - servicesBefore.exported;
    spans.failed = servicesAfter.failed - servicesBefore.failed;
    spans.accepted = jaegerAfter.accepted - jaegerBefore.accepted;
    spans.refused = jaegerAfter.refused - jaegerBefore.refused;
  }
}
if (options.telemetry.includes('off')) await prepareLab(cfg, 'on', say);
if (trafficRan) await restoreAmbientTraffic(cfg);

const find = (journey: Journey, telemetry: TelemetryMode) => results.find((r) => r.journey === journey && r.telemetry === telemetry);
console.log(
  pc.bold(
    `\nresults (${new Date().toISOString()}, ${elapsed(started)}; load average at start ${loadAtStart[0]?.toFixed(2)}, at end ${loadavg()[0]?.toFixed(2)})`,
  ),
);
console.log(
  table(
    ['journey', 'telemetry on', 'telemetry off', 'ratio on/off', 'checkouts/s (on)'],
    options.journeys.map((journey) => {
      const on = find(journey, 'on');
      const off = find(journey, 'off');
      return [
        journey,
        on ? `${fmt(on.capacity)}/s` : '-',
        off ? `${fmt(off.capacity)}/s` : '-',
        on && off?.capacity ? `${fmt(on.capacity / off.capacity, 2)}×` : '-',
        fmt(on?.checkoutsPerSec, 1),
      ];
    }),
  ),
);
console.log('  capacity: the highest arrival rate sustained at p99 ≤ 500 ms, < 0.1 % errors, ≤ 1 % dropped (shopper: 1 in 5 checks out)');

const cpuRows = results.filter((r) => r.journey === 'checkout').map((r) => ({ label: `checkout, telemetry ${r.telemetry}`, perCheckout: cpuPerCheckout(r) }));
const components = [...new Set(cpuRows.flatMap((r) => Object.keys(r.perCheckout ?? {})))];
if (components.length)
  console.log(
    `\nCPU ms per checkout by process (at the highest sustained step, net of each process's idle use)\n${table(
      ['', ...components, 'total'],
      cpuRows.map((r) => [
        r.label,
        ...components.map((c) => fmt(r.perCheckout?.[c], 1)),
        fmt(
          Object.values(r.perCheckout ?? {}).reduce((a, b) => a + b, 0),
          1,
        ),
      ]),
    )}`,
  );
if (options.telemetry.includes('on')) {
  const lost = spans.exported - spans.accepted;
  console.log(
    `\nspans: one checkout's trace ${fmt(spans.trace?.spans)} (${Object.entries(spans.trace?.byService ?? {})
      .map(([s, n]) => `${s} ${n}`)
      .join(
        ', ',
      )}); ${fmt(spans.checkouts ? spans.checkoutAccepted / spans.checkouts : undefined, 1)} accepted by Jaeger per checkout iteration (cart + order, messages, background work)`,
  );
  const verdict = lost === 0 && spans.failed === 0 && spans.refused === 0 ? pc.green('no span dropped') : pc.red(`${fmt(lost)} spans missing`);
  console.log(
    `spans ended ${fmt(spans.ended)}, exported ${fmt(spans.exported)}, failed ${fmt(spans.failed)}; Jaeger accepted ${fmt(spans.accepted)}, refused ${fmt(spans.refused)}: ${verdict}`,
  );
}

const file = options.json ? userPath(cfg, options.json) : path.join(cfg.stateDir, 'bench', `shop-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await mkdir(path.dirname(file), { recursive: true });
await writeFile(
  file,
  `${JSON.stringify({ at: new Date().toISOString(), loadAverage: { start: loadAtStart, end: loadavg() }, seconds, maxSteps, results, cpuPerCheckout: cpuRows, spans }, null, 2)}\n`,
);
console.log(`\nJSON: ${file}`);
process.exit(0);
