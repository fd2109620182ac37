import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Listr } from 'listr2';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { elapsed } from '../proc.js';
import type { Component } from './component.js';
import { jaeger } from './components/jaeger.js';
import { postgres } from './components/postgres.js';
import { prometheus } from './components/prometheus.js';
import { rabbitmq } from './components/rabbitmq.js';
import { toxiproxy } from './components/toxiproxy.js';
import { type DaemonRecord, isOurs, logTail, readRecord, removeRecord, stopRecord, writeRecord } from './daemon.js';
import { assertPortsFree } from './port-check.js';

/** The native infrastructure, in start order. */
export const COMPONENTS: readonly Component[] = [postgres, rabbitmq, prometheus, toxiproxy, jaeger];

export type ComponentHealth = 'ready' | 'starting' | 'stopped' | 'foreign';

export interface ComponentStatus {
  name: string;
  health: ComponentHealth;
  pids: number[];
  endpoint: string;
  logFile: string;
}

/** Whether the processes the lab recorded for a component are still running. */
async function runningRecord(cfg: LabConfig, component: Component): Promise<DaemonRecord | undefined> {
  const record = await readRecord(cfg.stateDir, component.name);
  if (!record) return undefined;
  const alive = await Promise.all(record.processes.map((p) => isOurs(p.pid, p.match)));
  return alive.some(Boolean) ? record : undefined;
}

/** Health of one component: ready, started but not answering, stopped, or answered by something the lab did not start. */
export async function componentStatus(cfg: LabConfig, component: Component): Promise<ComponentStatus> {
  const record = await runningRecord(cfg, component);
  const answers = await component.probe(cfg);
  const health: ComponentHealth = record ? (answers ? 'ready' : 'starting') : answers ? 'foreign' : 'stopped';
  return { name: component.name, health, pids: record?.processes.map((p) => p.pid) ?? [], endpoint: component.endpoint(cfg), logFile: component.logFile(cfg) };
}

export const infraStatus = (cfg: LabConfig) => Promise.all(COMPONENTS.map((c) => componentStatus(cfg, c)));

async function waitReady(cfg: LabConfig, component: Component, record: DaemonRecord, onWait: (text: string) => void): Promise<void> {
  const started = Date.now();
  const deadline = started + cfg.readyTimeoutSec * 1000;
  let lastReport = started;
  while (Date.now() < deadline) {
    if (await component.probe(cfg)) return;
    const alive = await Promise.all(record.processes.map((p) => isOurs(p.pid, p.match)));
    if (!alive.some(Boolean)) {
      throw new LabError(`exited during start-up:\n${await logTail(component.logFile(cfg))}`, {
        component: component.name,
        logPath: component.logFile(cfg),
        hint: component.hint,
      });
    }
    // Report every few seconds: often enough for a terminal, rarely enough for a CI log.
    if (Date.now() - lastReport >= 3000) {
      onWait(`waiting for ${component.name} to answer … ${elapsed(started)}`);
      lastReport = Date.now();
    }
    await sleep(250);
  }
  await stopRecord(record, 5000);
  await removeRecord(cfg.stateDir, component.name);
  throw new LabError(`not ready after ${cfg.readyTimeoutSec}s (stopped again):\n${await logTail(component.logFile(cfg))}`, {
    component: component.name,
    logPath: component.logFile(cfg),
    hint: `${component.hint}; a slow machine may need FAULTLINE_READY_TIMEOUT=<seconds>`,
  });
}

/** Start one component unless it already runs; resolves once it answers. Returns 'started' or 'running'. */
export async function startComponent(cfg: LabConfig, component: Component, onWait: (text: string) => void = () => {}): Promise<'started' | 'running'> {
  const existing = await runningRecord(cfg, component);
  if (existing) {
    await waitReady(cfg, component, existing, onWait);
    return 'running';
  }
  await assertPortsFree(component.name, cfg.ports);
  await mkdir(path.join(cfg.stateDir, 'logs'), { recursive: true });
  await component.prepare(cfg);
  let record = await component.start(cfg);
  await writeRecord(cfg.stateDir, record);
  await waitReady(cfg, component, record, onWait);
  if (component.afterReady) {
    record = await component.afterReady(cfg, record);
    await writeRecord(cfg.stateDir, record);
  }
  return 'started';
}

/** Stop one component if the lab started it. Returns whether anything was stopped. */
export async function stopComponent(cfg: LabConfig, component: Component, purge = false): Promise<boolean> {
  const record = await readRecord(cfg.stateDir, component.name);
  const stopped = record ? (await stopRecord(record)) > 0 : false;
  await removeRecord(cfg.stateDir, component.name);
  if (purge) for (const dir of component.dataDirs(cfg)) await rm(dir, { recursive: true, force: true });
  return stopped;
}

const select = (names: readonly string[] | undefined) => {
  if (!names?.length) return COMPONENTS;
  const unknown = names.filter((n) => !COMPONENTS.some((c) => c.name === n));
  if (unknown.length) throw new LabError(`unknown component: ${unknown.join(', ')}`, { hint: `choose from ${COMPONENTS.map((c) => c.name).join(', ')}` });
  return COMPONENTS.filter((c) => names.includes(c.name));
};

export interface UpOptions {
  only?: readonly string[];
  /** Listr renderer: 'default' on a terminal, 'simple' in logs, 'silent' in tests. */
  renderer?: 'default' | 'simple' | 'silent';
}

/**
 * Start components in parallel, each until it answers, with a task list as progress; every
 * failure is reported (one LabError per component). Returns started/running per component.
 */
export async function startAll(
  cfg: LabConfig,
  components: readonly Component[],
  renderer: UpOptions['renderer'] = 'default',
): Promise<Record<string, 'started' | 'running'>> {
  const outcome: Record<string, 'started' | 'running'> = {};
  const tasks = new Listr(
    components.map((component) => ({
      title: component.name,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        const started = Date.now();
        const result = await startComponent(cfg, component, (text) => {
          task.output = text;
        });
        outcome[component.name] = result;
        task.title = result === 'running' ? `${component.name}: already running` : `${component.name}: ready in ${elapsed(started)}`;
      },
    })),
    { concurrent: true, exitOnError: false, collectErrors: 'minimal', renderer, fallbackRenderer: 'simple' },
  );
  await tasks.run().catch(() => undefined);
  const errors = tasks.errors.map((e) => e.error);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new LabError(errors.map((e) => (e instanceof LabError ? e.describe() : e.message)).join('\n\n'));
  return outcome;
}

/** Bring the infrastructure up (in parallel), each waiting for readiness. Idempotent. */
export function infraUp(cfg: LabConfig, options: UpOptions = {}): Promise<Record<string, 'started' | 'running'>> {
  return startAll(cfg, select(options.only), options.renderer);
}

/** Stop what the lab started (by pid), newest component first; `purge` also deletes their data. */
export async function infraDown(cfg: LabConfig, options: { purge?: boolean; only?: readonly string[] } = {}): Promise<string[]> {
  const stopped: string[] = [];
  for (const component of [...select(options.only)].reverse()) {
    if (await stopComponent(cfg, component, options.purge)) stopped.push(component.name);
  }
  return stopped;
}
