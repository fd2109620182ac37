import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { componentStatus, startAll, stopComponent } from '../infra/runtime.js';
import { formatRef, type MechanismRef } from './mechanisms.js';
import { servicePasswords } from './provision.js';
import { applyProxies } from './proxies.js';
import { type ServiceSettings, serviceComponent } from './services.js';
import { SERVICE_NAMES, type ServiceName } from './topology.js';

export interface ServicesUpOptions {
  only?: readonly ServiceName[];
  resilience?: 'on' | 'off';
  /** `off`: no tracing (OTEL_SDK_DISABLED=true). */
  telemetry?: 'on' | 'off';
  /** One mechanism of one service knocked out (that service only). */
  knockout?: MechanismRef | undefined;
  /** Extra environment variables of single services, for one run. */
  settings?: ServiceSettings | undefined;
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
  if (options.knockout) {
    // A running service keeps its mechanisms: starting it "again" would silently change nothing.
    const { service } = options.knockout;
    if ((await componentStatus(cfg, serviceComponent(service))).health !== 'stopped')
      throw new LabError(`${service} is already running, with every mechanism: --knockout applies only when it starts`, {
        hint: `restart it with the knock-out: npm run faultline -- restart ${service} --knockout "${formatRef(options.knockout)}"`,
      });
  }
  await applyProxies(cfg);
  // Generated once here, before the services' own set-up (which provisions each database) runs in parallel.
  await servicePasswords(cfg);
  const run = {
    ...(options.resilience ? { resilience: options.resilience } : {}),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    knockout: options.knockout,
    settings: options.settings,
  };
  return startAll(
    cfg,
    names.map((name) => serviceComponent(name, run)),
    options.renderer,
  );
}

/** Stop services the lab started (all, or `only`). Returns the names stopped. */
export async function servicesDown(cfg: LabConfig, only?: readonly string[]): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of [...pick(only)].reverse()) if (await stopComponent(cfg, serviceComponent(name))) stopped.push(name);
  return stopped;
}

export const servicesStatus = (cfg: LabConfig) => Promise.all(SERVICE_NAMES.map((name) => componentStatus(cfg, serviceComponent(name))));
