import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../config.js';
import { isOurs, readRecord } from '../infra/daemon.js';
import { COMPONENTS } from '../infra/runtime.js';
import { SERVICE_NAMES } from '../topology/topology.js';
import { type CpuReading, cpuReading, groupProcesses, type ProcMemory, readAllStats, readMemory } from './procfs.js';

/** A lab component and the pids the lab recorded for it (its children are found through /proc). */
export interface ProcessRoot {
  name: string;
  pids: number[];
}

/** Order of the components in tables: the shop, then the infrastructure, then the load. */
const ORDER: readonly string[] = ['gateway', ...SERVICE_NAMES, ...COMPONENTS.map((c) => c.name), 'traffic'];
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

/** Every component the lab started and still runs, from its records (`.faultline/run/*.json`). */
export async function labProcessRoots(cfg: LabConfig): Promise<ProcessRoot[]> {
  const files = await readdir(path.join(cfg.stateDir, 'run')).catch(() => [] as string[]);
  const roots: ProcessRoot[] = [];
  for (const file of files.filter((f) => f.endsWith('.json'))) {
    const record = await readRecord(cfg.stateDir, file.replace(/\.json$/, ''));
    if (!record) continue;
    const alive = await Promise.all(record.processes.map(async (p) => ((await isOurs(p.pid, p.match)) ? p.pid : undefined)));
    const pids = alive.filter((pid): pid is number => pid !== undefined);
    if (pids.length) roots.push({ name: record.component, pids });
  }
  return roots.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

export interface ComponentMemory extends ProcMemory {
  component: string;
  processes: number;
}

/** RSS and PSS of every component (its processes and their children), largest first within the lab's order. */
export async function memoryByComponent(roots: readonly ProcessRoot[]): Promise<ComponentMemory[]> {
  const groups = groupProcesses(await readAllStats(), roots);
  return Promise.all(
    [...groups].map(async ([component, pids]) => {
      const memories = (await Promise.all(pids.map(readMemory))).filter((m): m is ProcMemory => m !== undefined);
      return {
        component,
        processes: pids.length,
        rss: memories.reduce((sum, m) => sum + m.rss, 0),
        pss: memories.reduce((sum, m) => sum + m.pss, 0),
      };
    }),
  );
}

/** One CPU reading of every component (see {@link cpuBetween}). */
export async function cpuByComponent(roots: readonly ProcessRoot[]): Promise<Map<string, CpuReading>> {
  const stats = await readAllStats();
  return new Map([...groupProcesses(stats, roots)].map(([name, pids]) => [name, cpuReading(stats, pids)]));
}

/** The lab's memory by component (RSS, and PSS: shared pages divided among their sharers), with a total. */
export async function labMemory(cfg: LabConfig): Promise<{ components: ComponentMemory[]; total: { rss: number; pss: number } }> {
  const components = await memoryByComponent(await labProcessRoots(cfg));
  return {
    components,
    total: { rss: components.reduce((sum, c) => sum + c.rss, 0), pss: components.reduce((sum, c) => sum + c.pss, 0) },
  };
}

export const MIB = 1024 * 1024;
