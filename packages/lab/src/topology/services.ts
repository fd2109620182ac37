import path from 'node:path';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { type Component, httpOk } from '../infra/component.js';
import { spawnDaemon } from '../infra/daemon.js';
import { adminCredentials, serviceCredentials } from './admin.js';
import { serviceLaunch } from './compile.js';
import { serviceEnvironment } from './environment.js';
import { knockoutValue, type MechanismRef } from './mechanisms.js';
import { provisionDatabases, servicePasswords } from './provision.js';
import { SERVICES, type ServiceName } from './topology.js';

export interface ServiceRunOptions {
  resilience?: 'on' | 'off';
  /** `off`: no tracing (OTEL_SDK_DISABLED=true). */
  telemetry?: 'on' | 'off';
  /** Remove this one mechanism (applies only to the service it names): `FAULTLINE_KNOCKOUT`. */
  knockout?: MechanismRef | undefined;
  /** Settings of single services for one run (an experiment's `settings`): extra environment variables, by service. */
  settings?: ServiceSettings | undefined;
}

/** Environment variables to add to some services' own, by service (settings the lab itself does not generate). */
export type ServiceSettings = Partial<Record<ServiceName, Readonly<Record<string, string>>>>;

/**
 * Add a service's run settings to the environment the lab generated for it. A setting may not
 * replace what the lab generates (addresses, credentials, telemetry, the resilience mode, a
 * knock-out): those have their own options, and a run that silently rewired a service would judge
 * something else than it names.
 */
export function applySettings(name: ServiceName, env: Record<string, string>, settings: ServiceSettings | undefined): void {
  const own = settings?.[name];
  if (!own) return;
  const taken = Object.keys(own).filter((key) => key in env);
  if (taken.length)
    throw new LabError(`${name}: ${taken.join(', ')} ${taken.length > 1 ? 'are' : 'is'} set by the lab itself and cannot be a run setting`, {
      hint: 'use the run options for the resilience mode and knock-outs; addresses and credentials come from the topology',
    });
  Object.assign(env, own);
}

/** Base URL of a service itself (not through a proxy). */
export const serviceUrl = (cfg: LabConfig, name: ServiceName) => `http://127.0.0.1:${cfg.ports[name]}`;

/**
 * One of the shop's services as a lab component: a Node process (compiled JavaScript, see
 * {@link serviceLaunch}) started with the telemetry preload, its environment generated from the topology, ready when `/health/ready` says so.
 */
export function serviceComponent(name: ServiceName, options: ServiceRunOptions = {}): Component {
  return {
    name,
    hint: `read the service's log; "faultline logs --service ${name}" shows it merged and readable`,
    logFile: (cfg) => path.join(cfg.stateDir, 'logs', `${name}.out.log`),
    dataDirs: () => [],
    endpoint: (cfg) => `${serviceUrl(cfg, name)}  (docs ${serviceUrl(cfg, name)}/docs)`,
    async prepare(cfg) {
      if (SERVICES[name].database) await provisionDatabases(cfg, [name]);
    },
    async start(cfg) {
      const env = serviceEnvironment(cfg, name, {
        passwords: await servicePasswords(cfg),
        clients: await serviceCredentials(cfg),
        ...(options.resilience ? { resilience: options.resilience } : {}),
        ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      });
      if (options.knockout?.service === name) env.FAULTLINE_KNOCKOUT = knockoutValue(options.knockout);
      if (name === 'user') {
        const admin = await adminCredentials(cfg);
        Object.assign(env, { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password });
      }
      applySettings(name, env, options.settings);
      const launch = await serviceLaunch(cfg, name);
      const pid = await spawnDaemon({
        command: process.execPath,
        args: launch.args,
        cwd: path.join(cfg.root, 'services', name),
        env: { ...process.env, ...env, LOG_CONSOLE: 'false' },
        logFile: this.logFile(cfg),
      });
      return { component: name, processes: [{ pid, match: launch.match }], startedAt: new Date().toISOString() };
    },
    probe: (cfg) => httpOk(`${serviceUrl(cfg, name)}/health/ready`),
  };
}
