import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { compose, containerStates } from '../compose/runtime.js';
import { composeAddresses } from '../compose/target.js';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { type Engine, findEngine } from '../images/engine.js';
import { elapsed, runOk } from '../proc.js';
import { knockoutValue } from '../topology/mechanisms.js';
import { checkSettings } from '../topology/services.js';
import { SERVICE_NAMES, type ServiceName } from '../topology/topology.js';
import { type AccessLogMark, type LabTarget, type RestartOptions, restartedServices, restoreAfter } from './target.js';

const RESTORE_COMMAND = 'npm run faultline -- up --compose';
const START_HINT = 'start it with "npm start -- --compose"';
/** Containers of the stack the runner needs (k6 runs only when asked, in the `load` profile). */
const isLabContainer = (service: string) => service !== 'k6';
const ready = (c: { state: string; health: string }) => c.state === 'running' && (c.health === 'healthy' || c.health === 'none');

/** Where the run options of the services a run restarted are written (a compose file over the offline file). */
export const runOptionsFile = (cfg: LabConfig) => path.join(cfg.stateDir, 'compose', 'run-options.yml');

/** The compose file that gives services a run's options (a knock-out, every policy off, settings): the environment each gets over its own. */
export function runOptionsCompose(environments: Partial<Record<ServiceName, Record<string, string>>>): string {
  // Quoted: docker-compose reads YAML 1.1, where a bare `off` is false.
  return stringify(
    { services: Object.fromEntries(Object.entries(environments).map(([name, environment]) => [name, { environment }])) },
    { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
  );
}

/** Each restarted service's run environment over the stack's own: the resilience mode, its knock-out, its settings (checked like natively). */
export function runEnvironments(cfg: LabConfig, options: RestartOptions): Partial<Record<ServiceName, Record<string, string>>> {
  checkSettings(cfg, options.settings);
  return Object.fromEntries(
    restartedServices(options).map((name) => {
      const run: Record<string, string> = { RESILIENCE_MODE: options.resilience };
      if (options.knockout?.service === name) run.FAULTLINE_KNOCKOUT = knockoutValue(options.knockout);
      return [name, { ...run, ...options.settings?.[name] }];
    }),
  );
}

/** Wait (bounded) until each of `services` runs and is healthy. */
async function waitHealthy(engine: Engine, services: readonly string[], timeoutSec: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const states = (await containerStates(engine)).filter((c) => services.includes(c.service));
    const waiting = services.filter((name) => !states.some((c) => c.service === name && ready(c)));
    if (waiting.length === 0) return;
    const dead = states.filter((c) => c.state === 'exited' || c.health === 'unhealthy');
    if (dead.length || Date.now() - started > timeoutSec * 1000)
      throw new LabError(`${(dead.length ? dead.map((c) => c.service) : waiting).join(', ')} not healthy after ${elapsed(started)}`, {
        hint: `read "npm run faultline -- logs --compose --service ${(dead[0]?.service ?? waiting[0]) as string}"`,
      });
    await sleep(500);
  }
}

/**
 * The compose stack as the chaos runner's lab: its published ports as addresses, services stopped
 * and started with docker-compose, run options (a knock-out, policies off) given by recreating
 * only the services concerned from a compose file over the offline file, the gateway's access log
 * read from its container's output. Fails, saying how to start it, when no engine or no stack answers.
 */
export async function composeTarget(native: LabConfig): Promise<LabTarget> {
  const engine = await findEngine(native);
  if (!engine) throw new LabError('--compose: no Docker engine answers, so there is no compose stack to run against', { hint: START_HINT });
  if (!(await containerStates(engine)).some((c) => isLabContainer(c.service) && c.state === 'running'))
    throw new LabError('--compose: the compose stack is not running', { hint: START_HINT });
  const cfg = composeAddresses(native);
  const run = (args: readonly string[], what: string, files: readonly string[] = []) => compose(native, engine, args, { what, files });
  const timeoutSec = native.readyTimeoutSec;
  const recreate = async (services: readonly ServiceName[], files: readonly string[] = []) => {
    await run(['up', '-d', '--no-deps', '--force-recreate', ...services], `recreating ${services.join(', ')}`, files);
    await waitHealthy(engine, services, timeoutSec);
  };
  const gatewayContainer = async () => {
    const gateway = (await containerStates(engine)).find((c) => c.service === 'gateway');
    if (!gateway) throw new LabError('the compose stack has no gateway container', { hint: START_HINT });
    return gateway.name;
  };
  return {
    kind: 'compose',
    cfg,
    // up recreates every container whose configuration differs from the offline file.
    restoreCommand: RESTORE_COMMAND,
    async assertReady() {
      const states = (await containerStates(engine)).filter((c) => isLabContainer(c.service));
      const down = states.filter((c) => !ready(c)).map((c) => `${c.service} ${c.state === 'running' ? c.health : c.state}`);
      const missing = ['gateway', ...SERVICE_NAMES].filter((name) => !states.some((c) => c.service === name));
      if (down.length || missing.length)
        throw new LabError(`the compose stack is not healthy (${[...down, ...missing.map((m) => `${m} missing`)].join(', ')})`, { hint: START_HINT });
    },
    async stopService(name) {
      await run(['stop', '--timeout', '10', name], `stopping ${name}`);
    },
    async startService(name) {
      const container = (await containerStates(engine)).find((c) => c.service === name);
      if (container && ready(container)) return 'running';
      await run(['start', name], `starting ${name}`);
      await waitHealthy(engine, [name], timeoutSec);
      return 'started';
    },
    async restartWith(options) {
      const environments = runEnvironments(native, options);
      const services = Object.keys(environments) as ServiceName[];
      const file = runOptionsFile(native);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, runOptionsCompose(environments));
      // Back as `up --compose` started them: from the offline file alone.
      const restore = async () => {
        await recreate(services);
        await rm(file, { force: true });
      };
      await recreate(services, [file]).catch((error: unknown) => restoreAfter(error, restore, RESTORE_COMMAND));
      return restore;
    },
    accessLogMark: async () => ({ since: Date.now() / 1000 }),
    async *accessLogLines(mark: AccessLogMark) {
      // Whole seconds, a second early at most: the run's lines are picked by its run id anyway.
      const since = Math.floor('since' in mark ? mark.since : 0);
      // The gateway's access log is its container's standard output (its error log goes to standard error).
      const logs = await runOk('docker', ['logs', '--since', String(since), await gatewayContainer()], {
        env: engine.env,
        what: "reading the gateway container's access log",
      });
      yield* logs.stdout.split('\n');
    },
    // The rules are baked into the Prometheus image, which `up --compose` rebuilds when they change.
    reloadRules: async () => undefined,
  };
}
