import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive } from '../proc.js';

/** What the lab remembers about a process it started (`.faultline/run/<component>.json`). */
export interface DaemonRecord {
  component: string;
  /** Pids in start order; stopped in reverse. Each is checked against `match` before it is signalled. */
  processes: { pid: number; match: string }[];
  startedAt: string;
}

export const recordPath = (stateDir: string, component: string) => path.join(stateDir, 'run', `${component}.json`);

export async function readRecord(stateDir: string, component: string): Promise<DaemonRecord | undefined> {
  try {
    return JSON.parse(await readFile(recordPath(stateDir, component), 'utf8')) as DaemonRecord;
  } catch {
    return undefined;
  }
}

export async function writeRecord(stateDir: string, record: DaemonRecord): Promise<void> {
  await mkdir(path.join(stateDir, 'run'), { recursive: true });
  await writeFile(recordPath(stateDir, record.component), `${JSON.stringify(record, null, 2)}\n`);
}

export async function removeRecord(stateDir: string, component: string): Promise<void> {
  await rm(recordPath(stateDir, component), { force: true });
}

/** True when `pid` is alive and its command line contains `match` (guards against pid reuse). */
export async function isOurs(pid: number, match: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
    return cmdline.includes(match);
  } catch {
    return false;
  }
}

export interface SpawnDaemonOptions {
  command: string;
  args: readonly string[];
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this uid/gid (only when the lab runs as root). */
  user?: { uid: number; gid: number };
}

/** Start a long-running process detached from this one, its output appended to `logFile`. Returns its pid. */
export async function spawnDaemon(options: SpawnDaemonOptions): Promise<number> {
  await mkdir(path.dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(options.command, options.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    return pid;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves when the process is gone. */
export async function stopPid(pid: number, graceMs = 15_000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
  }
}

/** Stop the processes of a record, newest first, skipping any pid that is no longer ours. */
export async function stopRecord(record: DaemonRecord, graceMs?: number): Promise<number> {
  let stopped = 0;
  for (const { pid, match } of [...record.processes].reverse()) {
    if (await isOurs(pid, match)) {
      await stopPid(pid, graceMs);
      stopped += 1;
    }
  }
  return stopped;
}

/** Last `lines` lines of a log file, for error messages. */
export async function logTail(file: string, lines = 12): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}
