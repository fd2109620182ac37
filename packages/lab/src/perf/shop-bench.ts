import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { componentStatus, startComponent, stopComponent } from '../infra/runtime.js';
import { gateway } from '../topology/gateway.js';
import { servicesDown, servicesStatus, servicesUp } from '../topology/lab.js';
import { ambientTraffic, runLoad } from '../topology/load.js';
import { labUp } from '../topology/whole-lab.js';
import { judgeStep, type K6Summary, type StepFigures, stepFigures } from './k6-step.js';
import { cpuByComponent, labProcessRoots } from './lab-processes.js';
import { cpuBetween, parseStat } from './procfs.js';
import { capacityOf, nextRate, type StepOutcome, type StepSearchOptions } from './step-search.js';

export type Journey = 'checkout' | 'shopper';
export type TelemetryMode = 'on' | 'off';

/** One shopper in five checks out (the k6 script's CHECKOUT_RATIO). */
export const SHOPPER_CHECKOUT_RATIO = 5;

export interface StepResult extends StepOutcome {
  figures: StepFigures;
  reasons: string[];
  /** CPU ms each component used during the step (k6: the load generator itself). */
  cpuMs: Record<string, number>;
  /** How long the step's load ran. */
  seconds: number;
}

export interface SearchResult {
  journey: Journey;
  telemetry: TelemetryMode;
  /** Highest sustained iterations per second (checkouts/s for `checkout`, shoppers/s for `shopper`). */
  capacity: number;
  /** CPU ms per second each component used with no load (pollers, scrapes), measured before the search. */
  idleMsPerSec: Record<string, number>;
  checkoutsPerSec: number;
  steps: StepResult[];
}

/** CPU time of this process's waited-for children (k6 runs as one), in ms. */
async function ownChildrenCpuMs(): Promise<number> {
  return parseStat(await readFile('/proc/self/stat', 'utf8'))?.childrenCpuMs ?? 0;
}

/** Whether the lab's services run without tracing, read from one service's environment. */
async function servicesTelemetry(cfg: LabConfig): Promise<TelemetryMode | undefined> {
  const order = (await servicesStatus(cfg)).find((s) => s.name === 'order');
  const pid = order?.health === 'ready' ? order.pids[0] : undefined;
  if (pid === undefined) return undefined;
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
  return environ.split('\0').includes('OTEL_SDK_DISABLED=true') ? 'off' : 'on';
}

/**
 * The lab up with its services in the given telemetry mode (restarted when they run in the other);
 * the ambient traffic stopped (it would be measured too). Returns whether the traffic ran.
 */
export async function prepareLab(cfg: LabConfig, telemetry: TelemetryMode, say: (text: string) => void): Promise<boolean> {
  const services = await servicesStatus(cfg);
  const gatewayUp = (await componentStatus(cfg, gateway)).health === 'ready';
  if (!gatewayUp || services.some((s) => s.health !== 'ready')) {
    say('the lab is not (all) up: starting it (no ambient traffic)');
    await labUp(cfg, { traffic: false, telemetry });
  }
  const trafficRan = await stopComponent(cfg, ambientTraffic);
  if (trafficRan) say('stopped the ambient traffic for the benchmark (started again at the end)');
  if ((await servicesTelemetry(cfg)) !== telemetry) {
    say(`restarting the services with telemetry ${telemetry}${telemetry === 'off' ? ' (OTEL_SDK_DISABLED=true)' : ''}`);
    await servicesDown(cfg);
    await servicesUp(cfg, { telemetry, renderer: 'simple' });
  }
  return trafficRan;
}

export async function restoreAmbientTraffic(cfg: LabConfig): Promise<void> {
  await startComponent(cfg, ambientTraffic);
}

export interface StepOptions {
  journey: Journey;
  rate: number;
  seconds: number;
  sessionsFile: string;
  sessions: number;
}

/** One step: k6 at a constant arrival rate through the gateway, CPU read from /proc before and after. */
export async function runStep(cfg: LabConfig, options: StepOptions): Promise<StepResult> {
  const summaryFile = path.join(cfg.stateDir, 'bench', `step-${process.pid}.json`);
  const roots = await labProcessRoots(cfg);
  const before = await cpuByComponent(roots);
  const k6Before = await ownChildrenCpuMs();
  const result = await runLoad(cfg, {
    profile: 'capacity',
    summaryJson: summaryFile,
    env: {
      JOURNEY: options.journey,
      RATE: String(options.rate),
      DURATION: String(options.seconds),
      SESSIONS_FILE: options.sessionsFile,
      MAX_VUS: String(options.sessions),
    },
  });
  const after = await cpuByComponent(roots);
  const cpuMs: Record<string, number> = {};
  for (const [name, reading] of after) cpuMs[name] = cpuBetween(before.get(name) ?? new Map(), reading);
  cpuMs.k6 = (await ownChildrenCpuMs()) - k6Before;
  const text = await readFile(summaryFile, 'utf8').catch(() => undefined);
  await rm(summaryFile, { force: true });
  if (!text) throw new LabError(`k6 wrote no summary (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const figures = stepFigures(JSON.parse(text) as K6Summary, options.rate, options.seconds);
  const { sustained, reasons } = judgeStep(figures);
  return { rate: options.rate, sustained, figures, reasons, cpuMs, seconds: options.seconds };
}

export interface SearchOptions extends Omit<StepOptions, 'rate' | 'journey'> {
  journey: Journey;
  telemetry: TelemetryMode;
  search: StepSearchOptions;
  /** The lab's idle CPU use ({@link idleCpu}), measured before any load of this mode. */
  idleMsPerSec: Record<string, number>;
  /** Seconds of rest between steps (the queues drain). */
  restSeconds: number;
  onStep: (step: StepResult, index: number) => void;
}

/** Stepped arrival rates until the search brackets the highest sustained one. */
export async function searchCapacity(cfg: LabConfig, options: SearchOptions): Promise<SearchResult> {
  const steps: StepResult[] = [];
  for (let rate = nextRate(steps, options.search); rate !== undefined; rate = nextRate(steps, options.search)) {
    const step = await runStep(cfg, { ...options, rate });
    steps.push(step);
    options.onStep(step, steps.length);
    await sleep(options.restSeconds * 1000);
  }
  const capacity = capacityOf(steps);
  return {
    journey: options.journey,
    telemetry: options.telemetry,
    capacity,
    idleMsPerSec: options.idleMsPerSec,
    checkoutsPerSec: options.journey === 'checkout' ? capacity : capacity / SHOPPER_CHECKOUT_RATIO,
    steps,
  };
}

/** CPU ms per second each component uses while no load runs, over `seconds`. */
export async function idleCpu(cfg: LabConfig, seconds: number): Promise<Record<string, number>> {
  const roots = await labProcessRoots(cfg);
  const before = await cpuByComponent(roots);
  await sleep(seconds * 1000);
  const after = await cpuByComponent(roots);
  const perSec: Record<string, number> = {};
  for (const [name, reading] of after) perSec[name] = cpuBetween(before.get(name) ?? new Map(), reading) / seconds;
  return perSec;
}

/**
 * CPU ms per checkout by component at the search's highest sustained step, net of what each
 * component uses idle (at a few checkouts per second the pollers and scrapes would otherwise
 * count as a large part of every checkout).
 */
export function cpuPerCheckout(result: Pick<SearchResult, 'steps' | 'idleMsPerSec'>): Record<string, number> | undefined {
  const best = result.steps.filter((s) => s.sustained).sort((a, b) => b.rate - a.rate)[0];
  if (!best || best.figures.checkouts === 0) return undefined;
  return Object.fromEntries(
    Object.entries(best.cpuMs).map(([name, ms]) => [name, Math.max(0, ms - (result.idleMsPerSec[name] ?? 0) * best.seconds) / best.figures.checkouts]),
  );
}
