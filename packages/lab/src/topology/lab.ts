import { Listr } from 'listr2';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { componentStatus, startComponent, stopComponent } from '../infra/runtime.js';
import { elapsed } from '../proc.js';
import { provisionDatabases } from './provision.js';
import { applyProxies } from './proxies.js';
import { serviceComponent } from './services.js';
import { SERVICE_NAMES, type ServiceName } from './topology.js';

export interface ServicesUpOptions {
  only?: readonly ServiceName[];
  resilience?: 'on' | 'off';
  renderer?: 'default' | 'simple' | 'silent';
}

const pick = (only?: readonly string[]): ServiceName[] => {
  if (!only?.length) return [...SERVICE_NAMES];
  const unknown = only.filter((n) => !SERVICE_NAMES.includes(n as ServiceName));
  if (unknown.length) throw new LabError(`unknown service: ${unknown.join(', ')}`, { hint: `choose from ${SERVICE_NAMES.join(', ')}` });
  return only as ServiceName[];
};

/** Proxies on every edge, a database per service, then every service (in parallel), each until ready. */
export async function servicesUp(cfg: LabConfig, options: ServicesUpOptions = {}): Promise<Record<string, 'started' | 'running'>> {
  const names = pick(options.only);
  await applyProxies(cfg);
  await provisionDatabases(cfg, names);
  const outcome: Record<string, 'started' | 'running'> = {};
  const tasks = new Listr(
    names.map((name) => ({
      title: name,
      task: async (_ctx: unknown, task: { title: string; output: string }) => {
        const started = Date.now();
        outcome[name] = await startComponent(cfg, serviceComponent(name, options.resilience ? { resilience: options.resilience } : {}), (text) => {
          task.output = text;
        });
        task.title = outcome[name] === 'running' ? `${name}: already running` : `${name}: ready in ${elapsed(started)}`;
      },
    })),
    { concurrent: true, exitOnError: false, collectErrors: 'minimal', renderer: options.renderer ?? 'default', fallbackRenderer: 'simple' },
  );
  await tasks.run().catch(() => undefined);
  const errors = tasks.errors.map((e) => e.error);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new LabError(errors.map((e) => (e instanceof LabError ? e.describe() : e.message)).join('\n\n'));
  return outcome;
}

/** Stop services the lab started (all, or `only`). Returns the names stopped. */
export async function servicesDown(cfg: LabConfig, only?: readonly string[]): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of [...pick(only)].reverse()) if (await stopComponent(cfg, serviceComponent(name))) stopped.push(name);
  return stopped;
}

export const servicesStatus = (cfg: LabConfig) => Promise.all(SERVICE_NAMES.map((name) => componentStatus(cfg, serviceComponent(name))));
