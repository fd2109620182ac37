import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LabConfig, loadConfig } from '../config.js';
import { LabError } from '../errors.js';
import { buildImages } from '../images/build.js';
import { type Engine, ensureEngine, findEngine, stopEngine } from '../images/engine.js';
import { elapsed, type RunOptions, run, runOk } from '../proc.js';
import { labSecretsEnv } from '../topology/admin.js';
import { OFFLINE_FILE, OFFLINE_PROJECT, publishedServices } from './offline.js';
import { OFFLINE_PUBLISHED } from './stack.js';

/** `docker-compose` on the offline file (and `files` over it), as project `faultline`. */
export function composeArgs(cfg: LabConfig, args: readonly string[], files: readonly string[] = []): string[] {
  return ['-p', OFFLINE_PROJECT, ...[path.join(cfg.root, 'compose', OFFLINE_FILE), ...files].flatMap((f) => ['-f', f]), ...args];
}

export interface ComposeRunOptions extends RunOptions {
  what?: string;
  hint?: string;
  /** Compose files over the offline file (run options for some services). */
  files?: readonly string[];
}

/** `docker-compose` on the offline stack, always with the lab's own secrets (a recreated container gets the same as its peers). */
export async function compose(cfg: LabConfig, engine: Engine, args: readonly string[], options: ComposeRunOptions = {}) {
  const { files, ...rest } = options;
  const env = { ...engine.env, ...(await labSecretsEnv(cfg)), ...options.env };
  return runOk('docker-compose', composeArgs(cfg, args, files), { ...rest, env, cwd: cfg.root });
}

export interface ContainerState {
  service: string;
  name: string;
  /** running, exited, … */
  state: string;
  /** healthy, starting, unhealthy, or none (no health check). */
  health: string;
}

/** Every container of the offline project, with its state and health. */
export async function containerStates(engine: Engine): Promise<ContainerState[]> {
  const ids = await run('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${OFFLINE_PROJECT}`], { env: engine.env });
  const list = ids.stdout.split('\n').filter(Boolean);
  if (ids.code !== 0 || list.length === 0) return [];
  const format =
    '{{index .Config.Labels "com.docker.compose.service"}}\t{{.Name}}\t{{.State.Status}}\t{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}';
  const answer = await run('docker', ['inspect', '--format', format, ...list], { env: engine.env });
  return answer.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [service = '', name = '', state = '', health = ''] = line.split('\t');
      return { service, name: name.replace(/^\//, ''), state, health };
    })
    .sort((a, b) => a.service.localeCompare(b.service));
}

const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });

/** Ports the offline stack publishes; a port already taken by something else is a clear error before compose starts. */
async function checkPorts(cfg: LabConfig, engine: Engine): Promise<void> {
  if ((await containerStates(engine)).some((c) => c.state === 'running')) return;
  const published = [...Object.entries(OFFLINE_PUBLISHED), ...publishedServices(cfg).map((s) => [s.service, s.hostPort] as const)];
  for (const [name, port] of published)
    if (!(await canBind(port)))
      throw new LabError(`port ${port} (${name} of the compose stack) is taken by another program`, {
        hint: `find it with "ss -ltnp 'sport = :${port}'" and stop it, or stop the native lab ("npm run faultline -- down")`,
      });
}

export interface ComposeUpOptions {
  onLine?: (line: string) => void;
  /** Seconds to wait for every container to be healthy. */
  timeoutSec?: number;
}

/**
 * The offline stack in Docker: an engine (started if none answers), the images (built when missing
 * or changed), `docker-compose up -d`, then every container healthy.
 */
export async function composeUp(cfg: LabConfig, options: ComposeUpOptions = {}): Promise<Engine> {
  const log = options.onLine ?? (() => {});
  const engine = await ensureEngine(cfg, log);
  await buildImages(cfg, engine, { onProgress: log });
  await checkPorts({ ...loadConfig({}), root: cfg.root }, engine);
  const started = Date.now();
  log('docker-compose up -d');
  await compose(cfg, engine, ['up', '-d', '--remove-orphans'], { what: 'docker-compose up', onLine: log });
  const timeout = (options.timeoutSec ?? 420) * 1000;
  let last = '';
  while (Date.now() - started < timeout) {
    const states = await containerStates(engine);
    const waiting = states.filter((c) => c.state !== 'running' || (c.health !== 'healthy' && c.health !== 'none'));
    const dead = states.filter((c) => c.state === 'exited' || c.health === 'unhealthy');
    if (dead.length)
      throw new LabError(`${dead.map((c) => `${c.service} (${c.health === 'unhealthy' ? 'unhealthy' : c.state})`).join(', ')} did not come up`, {
        hint: `read "docker-compose -p ${OFFLINE_PROJECT} -f compose/${OFFLINE_FILE} logs ${dead[0]?.service}"`,
      });
    if (states.length && waiting.length === 0) {
      log(`every container healthy in ${elapsed(started)}`);
      return engine;
    }
    const now = `waiting for ${waiting.map((c) => c.service).join(', ')}`;
    if (now !== last) log(now);
    last = now;
    await sleep(1000);
  }
  throw new LabError(`the compose stack was not healthy within ${timeout / 1000} s`, { hint: 'see "npm run faultline -- status --compose"' });
}

/** Take the offline stack down: containers, network and volumes. With `engine`, also stop the lab's own dockerd. */
export async function composeDown(cfg: LabConfig, options: { engine?: boolean; onLine?: (line: string) => void } = {}): Promise<string[]> {
  const did: string[] = [];
  const engine = await findEngine(cfg);
  if (engine) {
    const before = await containerStates(engine);
    await compose(cfg, engine, ['--profile', 'load', 'down', '--volumes', '--remove-orphans', '--timeout', '10'], {
      what: 'docker-compose down',
      ...(options.onLine ? { onLine: options.onLine } : {}),
    });
    if (before.length) did.push(`removed ${before.length} containers, the network and the volumes of project ${OFFLINE_PROJECT}`);
  }
  if (options.engine && (await stopEngine(cfg))) did.push("stopped the lab's dockerd");
  return did;
}

/** The engine, or an error saying how to get one (commands that only read never start one). */
export async function requireEngine(cfg: LabConfig): Promise<Engine> {
  const engine = await findEngine(cfg);
  if (!engine)
    throw new LabError('no Docker engine answers', { hint: 'start the stack with "npm run faultline -- up --compose" (it starts dockerd when it can)' });
  return engine;
}

/** URLs of the offline stack on this machine. */
export const composeUrls = () => ({
  gateway: `http://127.0.0.1:${OFFLINE_PUBLISHED.gateway}/api/…`,
  jaeger: `http://127.0.0.1:${OFFLINE_PUBLISHED.jaeger}`,
  prometheus: `http://127.0.0.1:${OFFLINE_PUBLISHED.prometheus}`,
  rabbitmq: `http://127.0.0.1:${OFFLINE_PUBLISHED.rabbitmq} (faultline/faultline)`,
  toxiproxy: `http://127.0.0.1:${OFFLINE_PUBLISHED.toxiproxy}`,
});
