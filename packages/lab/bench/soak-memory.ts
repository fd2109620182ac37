/**
 * `npm run soak:memory -- --minutes N --rate R` — the lab's memory under checkout load: R
 * checkouts per second through the gateway for N minutes, every component's RSS and PSS sampled
 * from /proc, then start, peak and end by component. Brings the lab up when it is not.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import pc from 'picocolors';
import { loadConfig, userPath } from '../src/index.js';
import { labMemory, MIB } from '../src/perf/lab-processes.js';
import { benchSessions } from '../src/perf/sessions.js';
import { prepareLab, restoreAmbientTraffic, runStep } from '../src/perf/shop-bench.js';
import { elapsed } from '../src/proc.js';
import { table } from '../src/ui/table.js';

const options = new Command('soak:memory')
  .description("the lab's memory by component under checkout load (loopback only, bounded)")
  .option('--minutes <n>', 'minutes of load', (v) => Number(v), 5)
  .option('--rate <n>', 'checkouts per second', (v) => Number(v), 20)
  .option('--sample <seconds>', 'seconds between memory samples', (v) => Number(v), 10)
  .option('--json <file>', 'write the samples as JSON')
  .parse()
  .opts<{ minutes: number; rate: number; sample: number; json?: string }>();

if (!(options.minutes > 0 && options.minutes <= 240) || !(options.rate > 0 && options.rate <= 500))
  throw new Error('--minutes must be in (0, 240] and --rate in (0, 500]');

const cfg = loadConfig();
const started = Date.now();
const say = (line: string) => console.log(`  … ${line}`);
console.log(`soak:memory — ${options.rate} checkouts/s for ${options.minutes} min; load average ${loadavg()[0]?.toFixed(2)}`);
const trafficRan = await prepareLab(cfg, 'on', say);
const vus = Math.max(20, Math.min(400, options.rate * 4));
/**
 * Customers' access tokens live 15 minutes (user's ACCESS_TOKEN_TTL_SEC): a longer soak on one
 * set of sessions turned into 401s after that (cheap refusals, not checkouts). So the load runs
 * in segments of at most 10 minutes, each on sessions logged in afresh.
 */
const SEGMENT_SEC = 600;

type Sample = { at: number; byComponent: Record<string, { rss: number; pss: number }>; total: { rss: number; pss: number } };
const samples: Sample[] = [];
const sample = async () => {
  const memory = await labMemory(cfg);
  samples.push({
    at: Date.now() - started,
    byComponent: Object.fromEntries(memory.components.map((c) => [c.component, { rss: c.rss, pss: c.pss }])),
    total: memory.total,
  });
  return memory;
};

const first = await sample();
say(`idle: ${(first.total.rss / MIB).toFixed(0)} MiB RSS, ${(first.total.pss / MIB).toFixed(0)} MiB PSS`);
const timer = setInterval(async () => {
  const memory = await sample();
  say(`${elapsed(started)}: ${(memory.total.rss / MIB).toFixed(0)} MiB RSS, ${(memory.total.pss / MIB).toFixed(0)} MiB PSS`);
}, options.sample * 1000);
const steps: Awaited<ReturnType<typeof runStep>>[] = [];
for (let left = Math.round(options.minutes * 60); left > 0; left -= SEGMENT_SEC) {
  const sessionsFile = await benchSessions(cfg, vus, say);
  const seconds = Math.min(left, SEGMENT_SEC);
  const step = await runStep(cfg, { journey: 'checkout', rate: options.rate, seconds, sessionsFile, sessions: vus });
  const g = step.figures;
  say(`segment of ${seconds} s: ran ${g.achieved.toFixed(1)} checkouts/s, p99 ${g.p99Ms.toFixed(0)} ms, errors ${(g.errorRate * 100).toFixed(2)} %`);
  steps.push(step);
}
clearInterval(timer);
await sample();
if (trafficRan) await restoreAmbientTraffic(cfg);

const mib = (bytes: number | undefined) => (bytes === undefined ? '-' : (bytes / MIB).toFixed(0));
const components = Object.keys(samples.at(-1)?.byComponent ?? {});
const peak = (pick: (s: Sample) => number | undefined) => Math.max(...samples.map((s) => pick(s) ?? 0));
const row = (name: string, pick: (s: Sample) => { rss: number; pss: number } | undefined) => [
  name,
  mib(pick(samples[0] as Sample)?.rss),
  mib(peak((s) => pick(s)?.rss)),
  mib(pick(samples.at(-1) as Sample)?.rss),
  mib(pick(samples[0] as Sample)?.pss),
  mib(peak((s) => pick(s)?.pss)),
  mib(pick(samples.at(-1) as Sample)?.pss),
];
/** The segments together: rates and errors weighted by their length, the worst p99. */
const total = steps.reduce((sum, st) => sum + st.seconds, 0);
const weighted = (pick: (st: (typeof steps)[number]) => number) => steps.reduce((sum, st) => sum + pick(st) * st.seconds, 0) / total;
const f = {
  achieved: weighted((st) => st.figures.achieved),
  errorRate: weighted((st) => st.figures.errorRate),
  p99Ms: Math.max(...steps.map((st) => st.figures.p99Ms)),
};
console.log(
  pc.bold(
    `\nmemory (MiB) over ${elapsed(started)} at ${options.rate} checkouts/s (ran ${f.achieved.toFixed(1)}/s, p99 ${f.p99Ms.toFixed(0)} ms, errors ${(f.errorRate * 100).toFixed(2)} %; load average ${loadavg()[0]?.toFixed(2)})`,
  ),
);
console.log(
  table(
    ['component', 'RSS start', 'RSS peak', 'RSS end', 'PSS start', 'PSS peak', 'PSS end'],
    [...components.map((c) => row(c, (s) => s.byComponent[c])), row(pc.bold('lab'), (s) => s.total)],
  ),
);
const file = options.json
  ? userPath(cfg, options.json)
  : path.join(cfg.stateDir, 'bench', `soak-memory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await mkdir(path.dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify({ options, load: f, segments: steps.map((st) => st.figures), samples }, null, 2)}\n`);
console.log(`JSON: ${file}`);
process.exit(0);
