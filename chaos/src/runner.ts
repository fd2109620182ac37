import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  activeAlerts,
  componentStatus,
  formatRef,
  gateway,
  infraStatus,
  type LabConfig,
  type MechanismRef,
  matchesAlert,
  metricsSnapshot,
  queueStates,
  releaseHoldsOfCancelledOrders,
  reloadRules,
  runLoad,
  servicesDown,
  servicesStatus,
  servicesUp,
} from '@faultline/lab';
import { evaluate, type Observations } from './expectations/index.js';
import { cardFaultEnv, describeFault, inject, remove, removeAllFaults, validateFault } from './faults.js';
import { logOffset, percentile, readHits } from './gateway-log.js';
import type { Journal } from './journal.js';
import { probe } from './probes.js';
import type { Experiment, Fault } from './schema.js';
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

/** Restart the services the run needs changed (policies off, or one knocked out); returns how to put them back. */
async function reconfigureServices(cfg: LabConfig, options: RunOptions, say: (line: string) => void): Promise<(() => Promise<void>) | undefined> {
  const { knockout } = options;
  if (options.policies === 'off') {
    say('restarting the services with RESILIENCE_MODE=off');
    await servicesDown(cfg);
    await servicesUp(cfg, { resilience: 'off', renderer: 'silent' });
    return async () => {
      say('restoring the services with RESILIENCE_MODE=on');
      await servicesDown(cfg);
      await servicesUp(cfg, { resilience: 'on', renderer: 'silent' });
    };
  }
  if (knockout) {
    say(`restarting ${knockout.service} with ${formatRef(knockout)} knocked out`);
    await servicesDown(cfg, [knockout.service]);
    await servicesUp(cfg, { only: [knockout.service], knockout, renderer: 'silent' });
    return async () => {
      say(`restoring ${knockout.service} with every mechanism`);
      await servicesDown(cfg, [knockout.service]);
      await servicesUp(cfg, { only: [knockout.service], renderer: 'silent' });
      if (knockout.mechanism === 'compensation') {
        // The uncompensated sagas left stock held for cancelled orders: give it back, or every later audit fails for this run's sake.
        const released = await releaseHoldsOfCancelledOrders(cfg);
        say(`released ${released} hold(s) the uncompensated sagas left behind`);
      }
    };
  }
  return undefined;
}

/** Put the services back, trying twice: a lab left with a mechanism removed must never go unnoticed. */
async function restoreServices(restore: () => Promise<void>): Promise<string | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await restore();
      return undefined;
    } catch (error) {
      if (attempt >= 2)
        return `the services could not be restored (${error instanceof Error ? error.message : String(error)}): run "npm run faultline -- services up" to bring them back`;
    }
  }
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

async function assertLabHealthy(cfg: LabConfig): Promise<void> {
  const infra = await infraStatus(cfg);
  const services = await servicesStatus(cfg);
  const gw = await componentStatus(cfg, gateway);
  const down = [...infra, ...services, gw].filter((s) => s.health !== 'ready').map((s) => s.name);
  if (down.length) throw new Error(`the lab is not healthy (${down.join(', ')} not ready): start it with "npm start"`);
}

/** Run one experiment end to end and return its journal. Faults are always removed. */
export async function runExperiment(cfg: LabConfig, name: string, original: Experiment, options: RunOptions): Promise<Journal> {
  const say = options.onProgress ?? (() => {});
  const experiment = scaled(original, options.scale);
  for (const fault of experiment.faults) validateFault(cfg, fault);
  await assertLabHealthy(cfg);
  if (experiment.expectations.some((e) => e.kind === 'alert-fires' || e.kind === 'alert-quiet')) await reloadRules(cfg);
  const startedAt = new Date().toISOString();
  const journal: Journal = {
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
  const restore = await reconfigureServices(cfg, options, say);
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort(new Error('interrupted (Ctrl-C)'));
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // A Ctrl-C during the set-up above came before the listener: it still counts.
  if (options.signal?.aborted) onOuterAbort();
  const timers: NodeJS.Timeout[] = [];
  const breakers: Observations['breakers'] = [];
  const inFlight: Observations['inFlight'] = [];
  const alerts: Observations['alerts'] = [];
  const faultTimes: Observations['faults'] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      // Each sample is timed when its request went out, so a slow one does not shift the other.
      const asked = Date.now() / 1000;
      await Promise.all([
        metricsSnapshot(cfg).then((snapshot) => {
          breakers.push({ at: asked, states: Object.fromEntries(snapshot.breakers.map((b) => [`${b.service}→${b.dependency}`, b.state])) });
          inFlight.push({ at: asked, values: Object.fromEntries(snapshot.inFlight.map((f) => [`${f.service}→${f.dependency}`, f.value])) });
        }),
        activeAlerts(cfg).then(
          (firing) => alerts.push({ at: asked, alerts: firing }),
          () => undefined, // a hole in the samples: judging alerts over it says so
        ),
      ]);
      await sleep(1000);
    }
  })();
  // Injections and removals run on timers; they are awaited before the faults are judged or cleaned up.
  const operations = new Set<Promise<unknown>>();
  const track = (operation: Promise<unknown>) => {
    operations.add(operation);
    void operation.finally(() => operations.delete(operation)).catch(() => undefined);
  };
  try {
    if ((options.scale ?? 1) < 1 && experiment.expectations.some((e) => e.kind === 'alert-fires'))
      throw new Error('the alert rules do not scale with --scale: an experiment that expects alerts to fire runs at full length');
    journal.steadyState = await Promise.all(experiment.hypothesis.probes.map((p) => probe(cfg, p)));
    if (journal.steadyState.some((p) => !p.passed))
      throw new Error(
        `steady state not met before the faults: ${journal.steadyState
          .filter((p) => !p.passed)
          .map((p) => `${p.probe} = ${p.measured}`)
          .join(', ')}`,
      );
    await alertsQuietBeforeLoad(cfg, experiment, say, abort.signal);
    const accessLog = path.join(cfg.stateDir, 'logs', 'gateway.access.log');
    const offset = await logOffset(accessLog);
    const runId = `${name}-${options.seed}-${Date.now().toString(36)}`;
    say(`load: ${experiment.load.rate}/s for ${experiment.load.duration} s (run ${runId})`);
    const deadLettersAtStart = Object.fromEntries((await queueStates(cfg)).filter((q) => q.deadLetter).map((q) => [q.name, q.messages]));
    if (abort.signal.aborted) {
      journal.verdict = 'aborted';
      journal.abortReason = abort.signal.reason instanceof Error ? abort.signal.reason.message : String(abort.signal.reason);
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
        K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
        ...cardFaultEnv(experiment.faults),
      },
      tags: { experiment: name, run: runId },
      signal: abort.signal,
    });
    const schedule = (fault: Fault) => {
      timers.push(
        setTimeout(() => {
          say(`inject ${fault.id}: ${describeFault(fault).what} on ${describeFault(fault).target}`);
          const at = Date.now() / 1000;
          faultTimes.push({ id: fault.id, start: at, end: at + fault.duration });
          track(inject(cfg, fault).catch((error: unknown) => abort.abort(error)));
        }, fault.start * 1000),
        setTimeout(
          () => {
            say(`remove ${fault.id}`);
            const entry = faultTimes.find((f) => f.id === fault.id);
            // A fault is over when its removal is: a toxic at once, a stopped service once it
            // answers its readiness probe again (its start-up belongs to the fault, not to "after").
            track(
              remove(cfg, fault)
                .then(() => {
                  if (entry) entry.end = Date.now() / 1000;
                })
                .catch((error: unknown) => abort.abort(error)),
            );
          },
          (fault.start + fault.duration) * 1000,
        ),
      );
    };
    experiment.faults.forEach(schedule);
    const guards = (async () => {
      while (!abort.signal.aborted && experiment.abort.length) {
        await sleep(2000);
        for (const guard of experiment.abort) {
          const result = await probe(cfg, guard);
          if (!result.passed && !abort.signal.aborted) abort.abort(new Error(`abort guard ${guard.name}: ${result.measured}`));
        }
      }
    })();
    const result = await Promise.race([
      k6,
      new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true })),
    ]).catch(async (error: unknown) => {
      journal.verdict = 'aborted';
      journal.abortReason = error instanceof Error ? error.message : String(error);
      return undefined;
    });
    const loadEnd = Date.now() / 1000;
    for (const timer of timers) clearTimeout(timer);
    // A service still starting up when the load ends: wait for it (bounded), so that the clean-up
    // below does not start it a second time and the fault's end is known before it is judged.
    const patience = new AbortController();
    await Promise.race([Promise.allSettled([...operations]), sleep(90_000, undefined, { signal: patience.signal }).catch(() => undefined)]);
    patience.abort(); // the timer must not keep the process alive after the reports are written
    for (const entry of faultTimes) entry.end = Math.min(entry.end, loadEnd);
    // Faults go first: an aborted run must not leave the lab broken while k6 winds down.
    const undone = await removeAllFaults(cfg, experiment.faults);
    if (undone) say(`removed ${undone} leftover fault(s)`);
    if (journal.verdict === 'aborted') await k6.catch(() => undefined);
    abort.abort(new Error('done'));
    await guards.catch(() => undefined);
    if (result && result.code !== 0 && result.code !== 99) throw new Error(`k6 failed (exit ${result.code}): ${result.stderr.slice(-500)}`);
    if (journal.verdict !== 'aborted') {
      say(`settling for ${experiment.settle} s`);
      await sleep(experiment.settle * 1000);
    }
    const hits = await readHits(accessLog, runId, offset);
    const obs: Observations = { cfg, experiment, loadStart, loadEnd, faults: faultTimes, hits, breakers, inFlight, alerts, deadLettersAtStart };
    const at = (epoch: number) => Math.round((epoch - loadStart) * 10) / 10;
    journal.faults = experiment.faults.map((f) => {
      const times = faultTimes.find((t) => t.id === f.id);
      return { id: f.id, ...describeFault(f), start: at(times?.start ?? loadStart + f.start), end: at(times?.end ?? loadStart + f.start + f.duration) };
    });
    const firstFault = Math.min(...journal.faults.map((f) => f.start));
    journal.phases = [
      { name: 'before', start: 0, end: firstFault },
      ...journal.faults.map((f) => ({ name: 'during', fault: f.id, start: f.start, end: f.end })),
      { name: 'after', start: Math.max(...journal.faults.map((f) => f.end)), end: at(loadEnd) },
    ];
    if (journal.verdict !== 'aborted') {
      say('judging the expectations');
      for (const expectation of experiment.expectations) journal.expectations.push(await evaluate(obs, expectation));
      const after = await Promise.all(experiment.hypothesis.probes.map((p) => probe(cfg, p)));
      journal.steadyState.push(...after.map((p) => ({ ...p, probe: `${p.probe} (after)` })));
      journal.verdict = journal.expectations.every((e) => e.passed) && journal.steadyState.every((p) => p.passed) ? 'passed' : 'failed';
    }
    sampling = false;
    await sampler;
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
  } catch (error) {
    journal.verdict = journal.verdict === 'aborted' ? 'aborted' : 'error';
    journal.error = error instanceof Error ? error.message : String(error);
  } finally {
    sampling = false;
    for (const timer of timers) clearTimeout(timer);
    await removeAllFaults(cfg, experiment.faults).catch(() => undefined);
    await sampler.catch(() => undefined);
    options.signal?.removeEventListener('abort', onOuterAbort);
    for (const rollback of experiment.rollback) await servicesUp(cfg, { only: [rollback.restart], renderer: 'silent' }).catch(() => undefined);
    const unrestored = restore ? await restoreServices(restore) : undefined;
    if (unrestored) {
      journal.verdict = 'error';
      journal.error = journal.error ? `${journal.error}; ${unrestored}` : unrestored;
    }
    journal.endedAt = new Date().toISOString();
  }
  return journal;
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
