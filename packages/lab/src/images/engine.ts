import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { spawnDaemon } from '../infra/daemon.js';
import { isAlive, type RunOptions, run, runOk } from '../proc.js';
import { installDebianPackages } from '../toolchain/debian.js';
import { DOCKER_PACKAGES } from '../toolchain/pins.js';

/** A Docker engine the lab talks to: one that already answers, or the lab's own dockerd. */
export interface Engine {
  /** Environment for docker and docker-compose (DOCKER_HOST set when it is the lab's own engine). */
  readonly env: NodeJS.ProcessEnv;
  /** `external` (it answered before the lab looked) or `lab` (a dockerd the lab started, stopped by `down --compose --engine`). */
  readonly kind: 'external' | 'lab';
  readonly version: string;
}

const dir = (cfg: LabConfig) => path.join(cfg.stateDir, 'docker');
const socket = (cfg: LabConfig) => path.join(dir(cfg), 'docker.sock');
const pidFile = (cfg: LabConfig) => path.join(dir(cfg), 'dockerd.pid');
export const engineLog = (cfg: LabConfig) => path.join(cfg.stateDir, 'logs', 'dockerd.log');
const labEnv = (cfg: LabConfig): NodeJS.ProcessEnv => ({ ...process.env, DOCKER_HOST: `unix://${socket(cfg)}` });

async function serverVersion(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const answer = await run('docker', ['version', '--format', '{{.Server.Version}}'], { env, timeoutMs: 10_000 }).catch(() => undefined);
  return answer?.code === 0 && answer.stdout.trim() ? answer.stdout.trim() : undefined;
}

/** The engine that answers now (the lab's own first, then the environment's), without starting one. */
export async function findEngine(cfg: LabConfig): Promise<Engine | undefined> {
  const own = await serverVersion(labEnv(cfg));
  if (own) return { env: labEnv(cfg), kind: 'lab', version: own };
  const external = await serverVersion(process.env);
  if (external) return { env: process.env, kind: 'external', version: external };
  return undefined;
}

const has = async (command: string) => (await run('sh', ['-c', `command -v ${command}`])).code === 0;

/**
 * An engine that answers: the one found, or a dockerd the lab starts itself (its data under
 * `.faultline/docker`, its socket there, loopback only). As root, the missing Debian packages
 * (docker.io, debootstrap) are installed first; otherwise the error says exactly what to run.
 */
export async function ensureEngine(cfg: LabConfig, onLine: (line: string) => void = () => {}): Promise<Engine> {
  const found = await findEngine(cfg);
  if (found) return found;
  if (!(await has('dockerd')) || !(await has('docker')) || !(await has('debootstrap'))) {
    onLine(`no Docker engine answers; installing what is missing of ${DOCKER_PACKAGES.join(', ')}`);
    await installDebianPackages(DOCKER_PACKAGES, onLine);
  }
  if (process.getuid?.() !== 0)
    throw new LabError('no Docker engine answers and starting one needs root', {
      hint: `start one ("sudo dockerd &", or your system's Docker service) and run this again, or run as root so faultline starts its own (sudo dockerd --data-root ${path.join(dir(cfg), 'data')} -H unix://${socket(cfg)})`,
    });
  await mkdir(dir(cfg), { recursive: true });
  await rm(socket(cfg), { force: true });
  onLine(`starting dockerd (data in ${dir(cfg)})`);
  const started = Date.now();
  await spawnDaemon({
    command: 'dockerd',
    args: [
      '--data-root',
      path.join(dir(cfg), 'data'),
      '--exec-root',
      path.join(dir(cfg), 'exec'),
      '-H',
      `unix://${socket(cfg)}`,
      '--pidfile',
      pidFile(cfg),
      // Published ports bind loopback unless a compose file says otherwise.
      '--ip',
      '127.0.0.1',
    ],
    logFile: engineLog(cfg),
  });
  while (Date.now() - started < 60_000) {
    const version = await serverVersion(labEnv(cfg));
    if (version) {
      onLine(`dockerd ${version} ready in ${Math.round((Date.now() - started) / 1000)}s`);
      return { env: labEnv(cfg), kind: 'lab', version };
    }
    await sleep(500);
  }
  throw new LabError('dockerd did not answer within 60 s', { component: 'dockerd', logPath: engineLog(cfg), hint: 'read its log: the reason is near the end' });
}

/** Stop the dockerd the lab started (by its pid file); an external engine is never touched. Returns whether one was stopped. */
export async function stopEngine(cfg: LabConfig): Promise<boolean> {
  const pid = Number((await readFile(pidFile(cfg), 'utf8').catch(() => '')).trim());
  if (!pid || !isAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 120 && isAlive(pid); i++) await sleep(250);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  return true;
}

/** Run docker against the engine; a non-zero exit is a LabError with the output's tail. */
export const docker = (engine: Engine, args: readonly string[], options: RunOptions & { what?: string; hint?: string } = {}) =>
  runOk('docker', args, { ...options, env: { ...engine.env, ...options.env } });

/**
 * Why no Docker engine can run here, or undefined when one answers or the lab can start one
 * (as root, with dockerd installed or apt to install it).
 */
export async function engineUnavailable(cfg: LabConfig): Promise<string | undefined> {
  if (await findEngine(cfg)) return undefined;
  if (process.getuid?.() !== 0) return 'no Docker engine answers and this user is not root, so faultline cannot start one';
  if ((await has('dockerd')) && (await has('docker'))) return undefined;
  if (await has('apt-get')) return undefined;
  return 'no Docker engine answers, dockerd is not installed and there is no apt-get to install it';
}
