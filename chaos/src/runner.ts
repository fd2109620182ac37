import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AccessLogMark,
  activeAlerts,
  formatRef,
  type LabConfig,
  type LabTarget,
  type MechanismRef,
  matchesAlert,
  nativeTarget,
  queueStates,
  runLoad,
} from '@faultline/lab';
import { evaluate, type Observations } from './expectations/index.js';
import { cardFaultEnv, describeFault, removeAllFaults, validateFault } from './faults.js';
import { percentile, readHits } from './gateway-log.js';
import type { Journal } from './journal.js';
import { probe } from './probes.js';
import { startSampler } from './run/sampler.js';
import { type FaultSchedule, scheduleFaults } from './run/schedule.js';
import { reconfigureServices, restoreServices } from './run/services.js';
import type { Experiment } from './schema.js';
import { alertsSeen, buildTimeline } from './timeline.js';

export interface RunOptions {
  policies: 'on' | 'off';
  seed: number;
  /** Multiplies the load duration and every fault's start and duration (CI runs shortened experiments). */
  scale?: number;
  onProgress?: (line: string) => void;
  /** Set by Ctrl-C: the run stops, faults are removed, the journal says aborted. */
  signal?: AbortSignal;
  /** Run with this one mechanism knocked out (its service restarted with it for the run, and back afterwards). */
  knockout?: MechanismRef | undefined;
}

/** The experiment with durations scaled (never below 1 s). */
export function scaled(experiment: Experiment, scale = 1): Experiment {
  if (scale === 1) return experiment;
  const s = (v: number) => (v < 1 ? v : Math.max(1, Math.round(v * scale)));
  return {
    ...experiment,
    load: { ...experiment.load, duration: s(experiment.load.duration) },
    faults: experiment.faults.map((f) => ({ ...f, start: s(f.start), duration: s(f.duration) })),
  };
}

/** The plan of a run, for `--dry-run` and the start of every run. */
export function plan(name: string, experiment: Experiment): string[] {
  return [
    `${name}: ${experiment.title}`,
    `load: ${experiment.load.rate} shoppers/s for ${experiment.load.duration} s (1 in ${experiment.load.checkoutRatio} checks out, card ${experiment.load.cardToken})`,
    ...experiment.faults.map((f) => {
      const d = describeFault(f);
      return `fault ${f.id}: ${d.what} on ${d.target} from ${f.start} s for ${f.duration} s`;
    }),
    ...experiment.expectations.map((e) => `expect ${e.id}: ${e.kind} (${e.phase}${e.fault ? ` ${e.fault}` : ''})`),
  ];
}

/** Everything one run's steps share. */
interface Run {
  readonly lab: LabTarget;
  /** The lab's addresses (`lab.cfg`). */
  readonly cfg: LabConfig;
  readonly name: string;
  readonly experiment: Experiment;
  readonly options: RunOptions;
  readonly journal: Journal;
  readonly say: (line: string) => void;
  /** Aborts the drive: Ctrl-C, an abort guard, a fault that could not be applied — and "done". */
  readonly abort: AbortController;
  readonly sampler: ReturnType<typeof startSampler>;
  /** Set once the faults are scheduled, so that the last step can cancel what is left of them. */
  schedule?: FaultSchedule;
}

/** What the drive leaves for the steps after it. */
interface Driven {
  readonly runId: string;
  readonly accessLogMark: AccessLogMark;
  readonly deadLettersAtStart: Record<string, number>;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly schedule: FaultSchedule;
  readonly k6: ReturnType<typeof runLoad>;
  readonly guards: Promise<unknown>;
  readonly result: Awaited<ReturnType<typeof runLoad>> | undefined;
}

function newJournal(name: string, experiment: Experiment, options: RunOptions): Journal {
  const startedAt = new Date().toISOString();
  return {
    experiment: name,
    title: experiment.title,
    hypothesis: experiment.description,
    policies: options.policies,
    ...(options.knockout ? { knockout: formatRef(options.knockout) } : {}),
    scale: options.scale ?? 1,
    seed: options.seed,
    startedAt,
    endedAt: startedAt,
    verdict: 'error',
    phases: [],
    faults: [],
    steadyState: [],
    expectations: [],
    timeline: { t: [], latencyP95Ms: [], errorRate: [], requestsPerSec: [], breakers: {} },
    load: { requests: 0, failedRate: 0, p95Ms: null },
  };
}

/**
 * One experiment, start to verdict, in named steps: preflight (probes, baseline), drive the load
 * and the faults, clean up (faults first), judge (expectations, probes after, timeline) — and,
 * whatever happened, put the lab back as it was. `target` is the lab (native or compose); a bare
 * configuration is the native lab.
 */
export async function runExperiment(target: LabTarget | LabConfig, name: string, original: Experiment, options: RunOptions): Promise<Journal> {
  const lab = 'kind' in target ? target : nativeTarget(target);
  const { cfg } = lab;
  const say = options.onProgress ?? (() => {});
  const experiment = scaled(original, options.scale);
  for (const fault of experiment.faults) validateFault(cfg, fault);
  await lab.assertReady();
  if (experiment.expectations.some((e) => e.kind === 'alert-fires' || e.kind === 'alert-quiet')) await lab.reloadRules();
  const journal = newJournal(name, experiment, options);
  const reconfigured = await reconfigureServices(lab, options, experiment.settings, say);
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(new Error('interrupted (Ctrl-C)'));
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // A Ctrl-C during the set-up above came before the listener: it still counts.
  if (options.signal?.aborted) onOuterAbort();
  const run: Run = { lab, cfg, name, experiment, options, journal, say, abort, sampler: startSampler(cfg) };
  try {
    await preflight(cfg, experiment, options, journal, say, abort.signal);
    const driven = await driveLoadAndFaults(run);
    await cleanUp(run, driven);
    await judge(run, driven);
  } catch (error) {
    journal.verdict = journal.verdict === 'aborted' ? 'aborted' : 'error';
    journal.error = reasonOf(error);
  } finally {
    run.schedule?.cancel();
    await removeAllFaults(lab, experiment.faults).catch(() => undefined);
    await run.sampler.stop();
    options.signal?.removeEventListener('abort', onOuterAbort);
    for (const rollback of experiment.rollback) await lab.startService(rollback.restart).catch(() => undefined);
    const unrestored = reconfigured ? await restoreServices(lab, reconfigured.restore) : undefined;
    // Only once the services are back as the lab starts them: give back what the knock-out left in the shop.
    const leftBehind =
      !unrestored && reconfigured?.cleanUp
        ? await reconfigured.cleanUp().then(say, (error: unknown) => `the clean-up after the knock-out failed: ${reasonOf(error)}`)
        : undefined;
    for (const problem of [unrestored, leftBehind].filter((p): p is string => p !== undefined)) {
      journal.verdict = 'error';
      journal.error = journal.error ? `${journal.error}; ${problem}` : problem;
    }
    journal.endedAt = new Date().toISOString();
  }
  return journal;
}

/** The load, the faults on their timers and the abort guards, until k6 ends or the run is aborted. */
async function driveLoadAndFaults(run: Run): Promise<Driven> {
  const { lab, cfg, name, experiment, journal, say, abort } = run;
  const accessLogMark = await lab.accessLogMark();
  const runId = `${name}-${run.options.seed}-${Date.now().toString(36)}`;
  say(`load: ${experiment.load.rate}/s for ${experiment.load.duration} s (run ${runId})`);
  const deadLettersAtStart = Object.fromEntries((await queueStates(cfg)).filter((q) => q.deadLetter).map((q) => [q.name, q.messages]));
  if (abort.signal.aborted) {
    journal.verdict = 'aborted';
    journal.abortReason = reasonOf(abort.signal.reason);
    throw abort.signal.reason;
  }
  const loadStart = Date.now() / 1000;
  const k6 = runLoad(cfg, {
    profile: 'experiment',
    env: {
      RATE: String(experiment.load.rate),
      DURATION: String(experiment.load.duration),
      RUN_ID: runId,
      CHECKOUT_RATIO: String(experiment.load.checkoutRatio),
      CARD_TOKEN: experiment.load.cardToken,
      ...(experiment.load.newCustomerEvery ? { NEW_CUSTOMER_EVERY: String(experiment.load.newCustomerEvery) } : {}),
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
      ...cardFaultEnv(experiment.faults),
    },
    tags: { experiment: name, run: runId },
    signal: abort.signal,
  });
  const schedule = scheduleFaults(lab, experiment.faults, say, (error) => abort.abort(error));
  run.schedule = schedule;
  const guards = watchGuards(cfg, experiment, abort);
  const result = await Promise.race([
    k6,
    new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true })),
  ]).catch(async (error: unknown) => {
    journal.verdict = 'aborted';
    journal.abortReason = reasonOf(error);
    return undefined;
  });
  return { runId, accessLogMark, deadLettersAtStart, loadStart, loadEnd: Date.now() / 1000, schedule, k6, guards, result };
}

/** The faults first, so an aborted run does not leave the lab broken while k6 winds down; then the settle time. */
async function cleanUp(run: Run, driven: Driven): Promise<void> {
  const { lab, experiment, journal, say, abort } = run;
  await driven.schedule.settle(driven.loadEnd);
  const undone = await removeAllFaults(lab, experiment.faults);
  if (undone) say(`removed ${undone} leftover fault(s)`);
  if (journal.verdict === 'aborted') await driven.k6.catch(() => undefined);
  abort.abort(new Error('done'));
  await driven.guards.catch(() => undefined);
  const { result } = driven;
  if (result && result.code !== 0 && result.code !== 99) throw new Error(`k6 failed (exit ${result.code}): ${result.stderr.slice(-500)}`);
  if (journal.verdict !== 'aborted') {
    say(`settling for ${experiment.settle} s`);
    await sleep(experiment.settle * 1000);
  }
}

/** Every expectation and the probes after, then the timeline, the alerts seen and the load's figures. */
async function judge(run: Run, driven: Driven): Promise<void> {
  const { lab, cfg, experiment, journal, say, sampler } = run;
  const { loadStart, loadEnd } = driven;
  const hits = await readHits(lab.accessLogLines(driven.accessLogMark), driven.runId);
  const { breakers, inFlight, alerts } = sampler;
  const obs: Observations = {
    cfg,
    experiment,
    loadStart,
    loadEnd,
    faults: driven.schedule.times,
    hits,
    breakers,
    inFlight,
    alerts,
    deadLettersAtStart: driven.deadLettersAtStart,
  };
  Object.assign(journal, phasesOf(experiment, driven.schedule.times, loadStart, loadEnd));
  if (journal.verdict !== 'aborted') {
    say('judging the expectations');
    for (const expectation of experiment.expectations) journal.expectations.push(await evaluate(obs, expectation));
    const after = await Promise.all(experiment.hypothesis.probes.map((p) => probe(cfg, p)));
    journal.steadyState.push(...after.map((p) => ({ ...p, probe: `${p.probe} (after)` })));
    journal.verdict = journal.expectations.every((e) => e.passed) && journal.steadyState.every((p) => p.passed) ? 'passed' : 'failed';
  }
  await sampler.stop();
  journal.timeline = buildTimeline(loadStart, Math.max(loadEnd, breakers.at(-1)?.at ?? loadEnd), hits, breakers);
  journal.alerts = alertsSeen(loadStart, alerts);
  journal.load = {
    requests: hits.length,
    failedRate: hits.length ? hits.filter((h) => h.status >= 500).length / hits.length : 0,
    p95Ms: percentile(
      hits.map((h) => h.durationMs),
      95,
    ),
  };
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Before any load: the steady state holds, and alerts the run expects to fire are quiet. */
async function preflight(
  cfg: LabConfig,
  experiment: Experiment,
  options: RunOptions,
  journal: Journal,
  say: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  if ((options.scale ?? 1) < 1 && experiment.expectations.some((e) => e.kind === 'alert-fires'))
    throw new Error('the alert rules do not scale with --scale: an experiment that expects alerts to fire runs at full length');
  journal.steadyState = await Promise.all(experiment.hypothesis.probes.map((p) => probe(cfg, p)));
  const unmet = journal.steadyState.filter((p) => !p.passed);
  if (unmet.length) throw new Error(`steady state not met before the faults: ${unmet.map((p) => `${p.probe} = ${p.measured}`).join(', ')}`);
  await alertsQuietBeforeLoad(cfg, experiment, say, signal);
}

/** Every two seconds while the load runs, each abort guard; the first that fails aborts the run. */
async function watchGuards(cfg: LabConfig, experiment: Experiment, abort: AbortController): Promise<void> {
  while (!abort.signal.aborted && experiment.abort.length) {
    await sleep(2000);
    for (const guard of experiment.abort) {
      const result = await probe(cfg, guard);
      if (!result.passed && !abort.signal.aborted) abort.abort(new Error(`abort guard ${guard.name}: ${result.measured}`));
    }
  }
}

/** The journal's faults and phases, in seconds from the start of the load. */
function phasesOf(experiment: Experiment, times: Observations['faults'], loadStart: number, loadEnd: number): Pick<Journal, 'faults' | 'phases'> {
  const at = (epoch: number) => Math.round((epoch - loadStart) * 10) / 10;
  const faults = experiment.faults.map((f) => {
    const t = times.find((x) => x.id === f.id);
    return { id: f.id, ...describeFault(f), start: at(t?.start ?? loadStart + f.start), end: at(t?.end ?? loadStart + f.start + f.duration) };
  });
  const firstFault = Math.min(...faults.map((f) => f.start));
  return {
    faults,
    phases: [
      { name: 'before', start: 0, end: firstFault },
      ...faults.map((f) => ({ name: 'during', fault: f.id, start: f.start, end: f.end })),
      { name: 'after', start: Math.max(...faults.map((f) => f.end)), end: at(loadEnd) },
    ],
  };
}

/** How long a run waits for an alert it expects to fire to resolve first (DeadLettersGrowing looks back 5 minutes). */
const ALERT_CLEAR_WAIT_SEC = 420;

/**
 * An alert the experiment expects to fire must be quiet when the load starts, or its firing could
 * be an earlier run's. Waits for it to resolve (bounded, with progress), or stops the run.
 */
async function alertsQuietBeforeLoad(cfg: LabConfig, experiment: Experiment, say: (line: string) => void, signal: AbortSignal): Promise<void> {
  const expected = experiment.expectations.flatMap((e) => (e.kind === 'alert-fires' ? [e] : []));
  if (expected.length === 0) return;
  const deadline = Date.now() + ALERT_CLEAR_WAIT_SEC * 1000;
  let told = 0;
  for (;;) {
    const active = (await activeAlerts(cfg)).filter((a) => expected.some((e) => matchesAlert(e)(a)));
    if (active.length === 0 || signal.aborted) return;
    const names = [...new Set(active.map((a) => `${a.name} (active for ${Math.round(Date.now() / 1000 - a.activeAt)} s)`))].join(', ');
    if (Date.now() > deadline)
      throw new Error(`${names} still active ${ALERT_CLEAR_WAIT_SEC} s later: an earlier run's alert, so this run could not show it firing`);
    if (Date.now() - told > 30_000) {
      say(`waiting for ${names} to resolve before the load: this run expects it to fire`);
      told = Date.now();
    }
    await sleep(2000);
  }
}
