import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatJson, type LabConfig } from '@faultline/lab';
import { type Command, Option } from 'commander';
import pc from 'picocolors';
import { z } from 'zod';
import { baselineFromJournals, readBaseline } from './gate/baseline.js';
import { compareWithBaseline, formatRegression } from './gate/gate.js';
import type { Journal } from './journal.js';
import { loadExperiments } from './load-file.js';
import { summaryTable, verdictLine } from './report/terminal.js';
import { writeReports } from './report/write-reports.js';
import { plan, runExperiment } from './runner.js';
import { experimentSchema } from './schema.js';

/** A seeded shuffle (mulberry32), so a gameday's order can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface RunFlags {
  policies: 'on' | 'off';
  seed: number;
  scale: number;
  out: string;
}

/** Run experiments one after another (one lab), Ctrl-C stopping the current one cleanly; write every report. */
async function runMany(cfg: LabConfig, names: string[], flags: RunFlags): Promise<Journal[]> {
  const experiments = await loadExperiments(cfg.root);
  const unknown = names.filter((n) => !experiments.has(n));
  if (unknown.length) throw new Error(`unknown experiment: ${unknown.join(', ')} (npm run faultline -- chaos list)`);
  const interrupt = new AbortController();
  const onSigint = () => {
    console.log(pc.yellow('\ninterrupted: removing the faults …'));
    interrupt.abort();
  };
  process.once('SIGINT', onSigint);
  const journals: Journal[] = [];
  try {
    for (const [i, name] of names.entries()) {
      if (interrupt.signal.aborted) break;
      console.log(
        pc.bold(`\n[${i + 1}/${names.length}] ${name} (policies ${flags.policies}, seed ${flags.seed}${flags.scale !== 1 ? `, scale ${flags.scale}` : ''})`),
      );
      const journal = await runExperiment(cfg, name, experiments.get(name) as z.infer<typeof experimentSchema>, {
        policies: flags.policies,
        seed: flags.seed,
        scale: flags.scale,
        signal: interrupt.signal,
        onProgress: (line) => console.log(pc.dim(`  … ${line}`)),
      });
      journals.push(journal);
      console.log(verdictLine(journal));
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const written = await writeReports(journals, path.resolve(flags.out));
  console.log(`\n${summaryTable(journals)}`);
  console.log(`reports: ${path.relative(process.cwd(), path.resolve(flags.out)) || '.'} (${written.files.length} files)`);
  return journals;
}

const policiesOption = () =>
  new Option('--policies <mode>', 'resilience policies during the run (off shows what they buy)').choices(['on', 'off']).default('on');

/** Add `chaos list | schema | run | gameday | gate` to the faultline CLI. */
export function registerChaosCommands(program: Command, config: () => LabConfig): void {
  const chaos = program.command('chaos').description('chaos experiments under k6 load, with verdicts on the resilience mechanisms');
  chaos
    .command('list')
    .description('the experiments in chaos/experiments')
    .action(async () => {
      for (const [name, e] of await loadExperiments(config().root)) console.log(`${pc.bold(name.padEnd(28))} ${e.title}  ${pc.dim(e.tags.join(','))}`);
    });
  chaos
    .command('schema')
    .description('write the experiment JSON Schema for editors (chaos/experiment.schema.json)')
    .action(async () => {
      const file = path.join(config().root, 'chaos', 'experiment.schema.json');
      await writeFile(file, formatJson(z.toJSONSchema(experimentSchema, { io: 'input', unrepresentable: 'any' })));
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    });
  const runFlags = (cmd: Command) =>
    cmd
      .addOption(policiesOption())
      .option('--seed <n>', 'seed for anything random (gameday order)', (v) => Number(v), 1)
      .option('--scale <factor>', 'shorten the load and the fault schedule (CI)', (v) => Number(v), 1)
      .option('--out <dir>', 'where the journal, JUnit and HTML reports go', 'chaos/reports');
  runFlags(chaos.command('run <name>').description('run one experiment'))
    .option('--dry-run', 'print the plan, touch nothing')
    .action(async (name: string, flags: RunFlags & { dryRun?: boolean }) => {
      const cfg = config();
      if (flags.dryRun) {
        const experiment = (await loadExperiments(cfg.root)).get(name);
        if (!experiment) throw new Error(`unknown experiment: ${name} (npm run faultline -- chaos list)`);
        for (const line of plan(name, experiment)) console.log(line);
        return;
      }
      const [journal] = await runMany(cfg, [name], flags);
      if (journal?.verdict !== 'passed') process.exitCode = 1;
    });
  runFlags(chaos.command('gameday').description('every experiment (or --only some), in a seeded random order'))
    .option('--only <names>', 'comma-separated experiments')
    .action(async (flags: RunFlags & { only?: string }) => {
      const cfg = config();
      const names = flags.only ? flags.only.split(',') : [...(await loadExperiments(cfg.root)).keys()];
      const journals = await runMany(cfg, shuffle(names, flags.seed), flags);
      if (journals.some((j) => j.verdict !== 'passed')) process.exitCode = 1;
    });
  runFlags(chaos.command('gate').description('run the experiments of a baseline and fail on a regression, naming the mechanism'))
    .requiredOption('--baseline <file>', 'committed baseline (JSON)')
    .option('--update', 'write the baseline from this run instead of comparing')
    .action(async (flags: RunFlags & { baseline: string; update?: boolean }) => {
      const cfg = config();
      const file = path.resolve(flags.baseline);
      const baseline = await readBaseline(file).catch((error: unknown) => {
        if (flags.update) return undefined;
        throw error;
      });
      const runs = baseline?.runs ?? [];
      if (!runs.length && !flags.update) throw new Error(`${flags.baseline} lists no runs`);
      const journals: Journal[] = [];
      for (const policies of ['on', 'off'] as const) {
        const names = runs.filter((r) => r.policies === policies).map((r) => r.experiment);
        if (names.length) journals.push(...(await runMany(cfg, names, { ...flags, policies })));
      }
      if (flags.update) {
        await writeFile(file, formatJson(baselineFromJournals(journals, baseline)));
        console.log(`wrote ${flags.baseline}`);
        return;
      }
      const regressions = compareWithBaseline(journals, baseline as NonNullable<typeof baseline>);
      if (regressions.length) {
        for (const r of regressions) console.log(pc.red(formatRegression(r)));
        throw new Error(`${regressions.length} resilience regression(s) against ${flags.baseline}`);
      }
      console.log(pc.green(`gate passed: ${journals.length} run(s) within the baseline's tolerances`));
    });
}
