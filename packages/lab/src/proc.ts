import { type SpawnOptions, spawn } from 'node:child_process';
import { LabError } from './errors.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with every non-empty output line (stdout and stderr), for progress. */
  onLine?: (line: string) => void;
  /** Kill the command after this many ms. */
  timeoutMs?: number;
  /** Interrupt the command with SIGINT when this aborts. */
  signal?: AbortSignal;
  /** Run as this uid/gid (only possible as root). */
  user?: { uid: number; gid: number } | undefined;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion, capturing its output. Never rejects on a non-zero exit. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] };
    if (options.timeoutMs !== undefined) spawnOptions.timeout = options.timeoutMs;
    if (options.user) Object.assign(spawnOptions, { uid: options.user.uid, gid: options.user.gid });
    const child = spawn(command, args, spawnOptions);
    let stdout = '';
    let stderr = '';
    const feed = (sink: 'out' | 'err') => (chunk: Buffer) => {
      const text = chunk.toString();
      if (sink === 'out') stdout += text;
      else stderr += text;
      if (options.onLine) for (const line of text.split('\n')) if (line.trim()) options.onLine(line.trimEnd());
    };
    if (options.signal?.aborted) child.kill('SIGINT');
    else options.signal?.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
    child.stdout?.on('data', feed('out'));
    child.stderr?.on('data', feed('err'));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new LabError(`command not found: ${command}`, { cause: error }));
      else reject(error);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

/** Run a command and fail with a {@link LabError} carrying the tail of its output when it exits non-zero. */
export async function runOk(command: string, args: readonly string[], options: RunOptions & { what?: string; hint?: string } = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    throw new LabError(`${options.what ?? `${command} ${args.join(' ')}`} failed (exit ${result.code}):\n${tail}`, {
      ...(options.hint ? { hint: options.hint } : {}),
    });
  }
  return result;
}

/** Whether a process with this pid exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return true;
}

/** Elapsed time as `12s` or `3m05s`. */
export function elapsed(sinceMs: number): string {
  const s = Math.round((Date.now() - sinceMs) / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
