import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { composeTarget, formatJson, formatRef, type LabConfig, type LabTarget, type MechanismRef, nativeTarget, parseRef, userPath } from '@faultline/lab';
import { type Command, Option } from 'commander';
import pc from 'picocolors';
import { z } from 'zod';
import { catalogueTable } from './catalogue.js';
import { baselineFromJournals, readBaseline } from './gate/baseline.js';
import { compareWithBaseline, formatRegression } from './gate/gate.js';
import type { Journal } from './journal.js';
import { loadExperiments, readExperiments } from './load-file.js';
import { INTACT, isProven, judgeCell, type ProveCell, type ProveReport, proveHtml, proveLines } from './prove.js';
import { reportStem } from './report/format.js';
import { summaryTable, verdictLine } from './report/terminal.js';
import { writeReports } from './report/write-reports.js';
import { plan, runExperiment } from './runner.js';
import { experimentSchema } from './schema.js';

const DEFAULT_OUT = 'chaos/reports';

/** The reports folder: the default lives in the clone, a folder the user typed is where they typed it (npm runs in the root). */
const reportsDir = (cfg: LabConfig, out: string) => (out.startsWith(DEFAULT_OUT) ? path.join(cfg.root, out) : userPath(cfg, out));

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
  /** Against the compose stack instead of the native lab. */
  compose?: boolean;
  policies: 'on' | 'off';
  seed: number;
  scale: number;
  out: string;
  knockout?: MechanismRef;
}

/** The lab the flags name: the compose stack with `--compose` (an error saying how to start it when it is not up), else the native lab. */
const targetOf = (cfg: LabConfig, flags: Pick<RunFlags, 'compose'>): Promise<LabTarget> =>
  flags.compose ? composeTarget(cfg) : Promise.resolve(nativeTarget(cfg));

/** Run experiments one after another (one lab), Ctrl-C stopping the current one cleanly; write every report. */
async function runMany(lab: LabTarget, names: string[], flags: RunFlags): Promise<Journal[]> {
  const { cfg } = lab;
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
        pc.bold(
          `\n[${i + 1}/${names.length}] ${name} (${lab.kind} lab, policies ${flags.policies}${flags.knockout ? `, ${pc.red(`${formatRef(flags.knockout)} knocked out`)}` : ''}, seed ${flags.seed}${flags.scale !== 1 ? `, scale ${flags.scale}` : ''})`,
        ),
      );
      const journal = await runExperiment(lab, name, experiments.get(name) as z.infer<typeof experimentSchema>, {
        policies: flags.policies,
        seed: flags.seed,
        scale: flags.scale,
        signal: interrupt.signal,
        knockout: flags.knockout,
        onProgress: (line) => console.log(pc.dim(`  … ${line}`)),
      });
      journals.push(journal);
      console.log(verdictLine(journal));
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  const dir = reportsDir(cfg, flags.out);
  const written = await writeReports(journals, dir);
  console.log(`\n${summaryTable(journals)}`);
  console.log(`reports: ${dir} (${written.files.length} files)`);
  return journals;
}

/**
 * The prove matrix: every experiment intact, then once per declared mechanism knocked out. Writes
 * every run's reports plus `prove.json` and `prove.html`; prints the matrix.
 */
async function runProve(lab: LabTarget, names: string[], flags: RunFlags & { only?: string }): Promise<ProveReport> {
  const { cfg } = lab;
  const experiments = await loadExperiments(cfg.root);
  const chosen = names.length ? names : [...experiments].filter(([, e]) => e.verifies.length > 0).map(([n]) => n);
  const unknown = chosen.filter((n) => !experiments.has(n));
  if (unknown.length) throw new Error(`unknown experiment: ${unknown.join(', ')} (npm run faultline -- chaos list)`);
  const only = flags.only ? parseRef(flags.only) : undefined;
  const startedAt = new Date().toISOString();
  const cells: ProveCell[] = [];
  const journals: Journal[] = [];
  // Every intact run first, then the knock-outs: a knock-out leaves slow or failed checkouts in the
  // alert rules' windows for minutes, and an intact run must not be judged on that history.
  const plan = [
    ...chosen.map((name) => ({ name, knockout: undefined as MechanismRef | undefined })),
    ...chosen.flatMap((name) =>
      (experiments.get(name)?.verifies ?? [])
        .map(parseRef)
        .filter((r) => !only || formatRef(r) === formatRef(only))
        .map((knockout) => ({ name, knockout })),
    ),
  ];
  console.log(pc.bold(`chaos prove: ${plan.length} runs (${chosen.length} experiments intact + ${plan.length - chosen.length} knock-outs)`));
  for (const [i, step] of plan.entries()) {
    console.log(pc.dim(`\n[${i + 1}/${plan.length}]`));
    const [journal] = await runMany(lab, [step.name], { ...flags, policies: 'on', ...(step.knockout ? { knockout: step.knockout } : {}) });
    if (!journal) break; // interrupted
    journals.push(journal);
    const cell = judgeCell(journal, step.knockout ? formatRef(step.knockout) : INTACT);
    cells.push(cell);
    const colour = cell.status === 'passed' || cell.status === 'caught' ? pc.green : pc.red;
    console.log(
      colour(`  ${cell.knockout}: ${cell.status}${cell.caughtBy.length ? ` by ${cell.caughtBy.join('; ')}` : cell.detail ? ` — ${cell.detail}` : ''}`),
    );
  }
  const report: ProveReport = {
    startedAt,
    endedAt: new Date().toISOString(),
    scale: flags.scale,
    cells,
    proven: isProven(cells) && cells.length === plan.length,
  };
  const dir = reportsDir(cfg, flags.out);
  await writeFile(path.join(dir, 'prove.json'), formatJson(report));
  await writeFile(
    path.join(dir, 'prove.html'),
    proveHtml(report, (cell) => {
      const journal = journals.find((j) => j.experiment === cell.experiment && (j.knockout ?? INTACT) === cell.knockout);
      return journal ? `${reportStem(journal)}.html` : undefined;
    }),
  );
  console.log(`\n${proveLines(report).join('\n')}`);
  console.log(`matrix: ${path.join(dir, 'prove.html')} and prove.json`);
  return report;
}

const policiesOption = () =>
  new Option('--policies <mode>', 'resilience policies during the run (off shows what they buy)').choices(['on', 'off']).default('on');

/** Add `chaos list | schema | run | gameday | gate` to the faultline CLI. */
export function registerChaosCommands(program: Command, config: () => LabConfig): void {
  const chaos = program.command('chaos').description('chaos experiments under k6 load, with verdicts on the resilience mechanisms');
  chaos
    .command('list')
    .description('the experiments in chaos/experiments')
    .option('--markdown', "the catalogue as the README's Markdown table")
    .action(async (flags: { markdown?: boolean }) => {
      const { experiments, errors } = await readExperiments(config().root);
      if (flags.markdown) {
        console.log(catalogueTable(experiments));
        return;
      }
      for (const [name, e] of experiments)
        console.log(
          `${pc.bold(name.padEnd(28))} ${e.title}  ${pc.dim(e.tags.join(','))}${e.verifies.length ? pc.cyan(`  verifies ${e.verifies.join(', ')}`) : ''}`,
        );
      for (const error of errors) console.error(pc.red(`cannot read ${error.message}`));
      if (errors.length) process.exitCode = 1;
    });
  chaos
    .command('schema')
    .description('write the experiment JSON Schema for editors (chaos/experiment.schema.json)')
    .action(async () => {
      const file = path.join(config().root, 'chaos', 'experiment.schema.json');
      await writeFile(file, formatJson(z.toJSONSchema(experimentSchema, { io: 'input', unrepresentable: 'any' })));
      console.log(`wrote ${file}`);
    });
  const runFlags = (cmd: Command, policies = true) =>
    (policies ? cmd.addOption(policiesOption()) : cmd)
      .option('--seed <n>', 'seed for anything random (gameday order)', (v) => Number(v), 1)
      .option('--scale <factor>', 'shorten the load and the fault schedule (CI)', (v) => Number(v), 1)
      .option('--out <dir>', 'where the journal, JUnit and HTML reports go', DEFAULT_OUT)
      .option('--compose', 'against the compose stack (npm start -- --compose) instead of the native lab');
  runFlags(chaos.command('run <name>').description('run one experiment'))
    .option('--dry-run', 'print the plan, touch nothing')
    .addOption(
      new Option('--knockout <ref>', 'run with one mechanism removed, e.g. "timeout payment→providers" (its service restarted for the run)').argParser(
        (text: string) => parseRef(text),
      ),
    )
    .action(async (name: string, flags: RunFlags & { dryRun?: boolean }) => {
      const cfg = config();
      if (flags.dryRun) {
        const experiment = (await loadExperiments(cfg.root)).get(name);
        if (!experiment) throw new Error(`unknown experiment: ${name} (npm run faultline -- chaos list)`);
        for (const line of plan(name, experiment)) console.log(line);
        return;
      }
      const [journal] = await runMany(await targetOf(cfg, flags), [name], flags);
      if (journal?.verdict !== 'passed') process.exitCode = 1;
    });
  runFlags(chaos.command('gameday').description('every experiment (or --only some), in a seeded random order'))
    .option('--only <names>', 'comma-separated experiments')
    .action(async (flags: RunFlags & { only?: string }) => {
      const cfg = config();
      const names = flags.only ? flags.only.split(',') : [...(await loadExperiments(cfg.root)).keys()];
      const journals = await runMany(await targetOf(cfg, flags), shuffle(names, flags.seed), flags);
      if (journals.some((j) => j.verdict !== 'passed')) process.exitCode = 1;
    });
  runFlags(
    chaos
      .command('prove [names...]')
      .description('each experiment intact (must pass) and once per mechanism it verifies, knocked out (must fail on that mechanism)'),
    false,
  )
    .option('--only <ref>', 'only this knock-out, e.g. "bulkhead order→product"')
    .action(async (names: string[], flags: RunFlags & { only?: string }) => {
      const cfg = config();
      const report = await runProve(await targetOf(cfg, flags), names, {
        ...flags,
        out: flags.out === DEFAULT_OUT ? `${DEFAULT_OUT}/prove` : flags.out,
        policies: 'on',
      });
      if (!report.proven) process.exitCode = 1;
    });
  runFlags(chaos.command('gate').description('run the experiments of a baseline and fail on a regression, naming the mechanism'), false)
    .requiredOption('--baseline <file>', 'committed baseline (JSON)')
    .option('--update', 'write the baseline from this run instead of comparing')
    .addOption(
      new Option('--knockout <ref>', 'run the gate with one mechanism removed, to see it fail naming that mechanism').argParser((text: string) =>
        parseRef(text),
      ),
    )
    .action(async (flags: RunFlags & { baseline: string; update?: boolean }) => {
      const cfg = config();
      const lab = await targetOf(cfg, flags);
      const gateKnockout = flags.knockout ? { knockout: flags.knockout } : {};
      const file = userPath(cfg, flags.baseline);
      const baseline = await readBaseline(file).catch((error: unknown) => {
        if (flags.update) return undefined;
        throw error;
      });
      const runs = baseline?.runs ?? [];
      if (!runs.length && !flags.update) throw new Error(`${flags.baseline} lists no runs`);
      const journals: Journal[] = [];
      // Each run at the baseline's scale (unless --scale is given), grouped so runs of one kind share a report folder.
      for (const run of runs) {
        const scale = flags.scale !== 1 ? flags.scale : run.scale;
        journals.push(...(await runMany(lab, [run.experiment], { ...flags, policies: run.policies, scale, ...gateKnockout })));
      }
      if (flags.update) {
        await writeFile(file, formatJson(baselineFromJournals(journals, baseline)));
        console.log(`wrote ${file}`);
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
