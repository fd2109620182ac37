import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ: 100 on every Linux the lab runs on). */
export const CLOCK_TICKS_PER_SEC = 100;

/** The fields of `/proc/<pid>/stat` the lab uses. */
export interface ProcStat {
  pid: number;
  /** The executable's name (at most 15 characters, as the kernel keeps it). */
  comm: string;
  ppid: number;
  /** CPU time of the process itself (user + system), in ms. */
  cpuMs: number;
  /** CPU time of its children that exited and were waited for, in ms (postgres backends, nginx workers). */
  childrenCpuMs: number;
  /** When it started (ticks since boot): with the pid, tells a reused pid from the process it was. */
  startTicks: number;
}

/**
 * Parse one `/proc/<pid>/stat` line. The name is in parentheses and may itself contain spaces and
 * parentheses, so the fields are counted from the last `)`.
 */
export function parseStat(line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(line.slice(0, open).trim());
  // After ") ": state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17) … starttime(22).
  const rest = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  const values = [field(4), field(14), field(15), field(16), field(17), field(22)];
  if (!Number.isInteger(pid) || values.some((v) => !Number.isFinite(v))) return undefined;
  const ms = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SEC;
  return {
    pid,
    comm: line.slice(open + 1, close),
    ppid: field(4),
    cpuMs: ms(field(14) + field(15)),
    childrenCpuMs: ms(field(16) + field(17)),
    startTicks: field(22),
  };
}

/** Memory of one process from `/proc/<pid>/smaps_rollup`, in bytes. */
export interface ProcMemory {
  rss: number;
  /** Proportional set size: shared pages divided among the processes sharing them (sums without double counting). */
  pss: number;
}

/** Parse `/proc/<pid>/smaps_rollup` (`Rss:  1760 kB` lines). */
export function parseSmapsRollup(text: string): ProcMemory | undefined {
  const kb = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rss = kb('Rss');
  const pss = kb('Pss');
  return rss === undefined || pss === undefined ? undefined : { rss, pss };
}

/** Every process's stat, keyed by pid (processes that vanish while being read are skipped). */
export async function readAllStats(): Promise<Map<number, ProcStat>> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const stats = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').then(parseStat, () => undefined)));
  return new Map(stats.filter((s): s is ProcStat => s !== undefined).map((s) => [s.pid, s]));
}

export const readMemory = (pid: number): Promise<ProcMemory | undefined> =>
  readFile(`/proc/${pid}/smaps_rollup`, 'utf8').then(parseSmapsRollup, () => undefined);

/**
 * Group processes under named roots: each root's pids and all their descendants. A process is
 * counted once, for the first group (in the order given) whose tree holds it.
 */
export function groupProcesses(stats: ReadonlyMap<number, ProcStat>, roots: readonly { name: string; pids: readonly number[] }[]): Map<string, number[]> {
  const children = new Map<number, number[]>();
  for (const s of stats.values()) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const taken = new Set<number>();
  const groups = new Map<string, number[]>();
  for (const root of roots) {
    const members: number[] = [];
    const queue = root.pids.filter((pid) => stats.has(pid));
    while (queue.length) {
      const pid = queue.shift() as number;
      if (taken.has(pid)) continue;
      taken.add(pid);
      members.push(pid);
      queue.push(...(children.get(pid) ?? []));
    }
    groups.set(root.name, members);
  }
  return groups;
}

/** One reading of a group's CPU: per process (keyed by pid and start time, so a reused pid is another process). */
export type CpuReading = Map<string, { own: number; children: number }>;

export function cpuReading(stats: ReadonlyMap<number, ProcStat>, pids: readonly number[]): CpuReading {
  const reading: CpuReading = new Map();
  for (const pid of pids) {
    const s = stats.get(pid);
    if (s) reading.set(`${pid}@${s.startTicks}`, { own: s.cpuMs, children: s.childrenCpuMs });
  }
  return reading;
}

/**
 * CPU ms a group used between two readings: every process's own time since the first reading
 * (all of it for a process that appeared since), plus what its waited-for children used
 * (postgres backends and short-lived helpers end up there).
 */
export function cpuBetween(before: CpuReading, after: CpuReading): number {
  let total = 0;
  for (const [key, now] of after) {
    const then = before.get(key) ?? { own: 0, children: 0 };
    total += Math.max(0, now.own - then.own) + Math.max(0, now.children - then.children);
  }
  return total;
}
