import path from 'node:path';
import { serviceEnv } from '../compose/generate.js';
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

/** Variables a setting may never name: they have their own options (knock-out, resilience mode, telemetry) or are the lab's bookkeeping. */
const RESERVED_SETTING = /^(FAULTLINE_KNOCKOUT|RESILIENCE_MODE|SERVICE|LOG_CONSOLE|LOG_FILE|ADMIN_EMAIL|ADMIN_PASSWORD|OTEL_[A-Z0-9_]*)$/;

/**
 * Refuse a run setting that would replace what the lab generates for a service, natively or in the
 * compose stack (addresses, credentials, telemetry, the resilience mode, a knock-out): those have
 * their own options, and a run that silently rewired a service would judge something else than it
 * names. Asked before anything is stopped, so a bad setting costs no restart.
 */
export function checkSettings(cfg: LabConfig, settings: ServiceSettings | undefined): void {
  for (const [name, values] of Object.entries(settings ?? {}) as [ServiceName, Readonly<Record<string, string>>][]) {
    const generated = new Set([
      ...Object.keys(serviceEnvironment(cfg, name, { passwords: {} as Record<ServiceName, string>, clients: {} })),
      ...Object.keys(serviceEnv(cfg, name)),
    ]);
    const taken = Object.keys(values).filter((key) => RESERVED_SETTING.test(key) || generated.has(key));
    if (taken.length)
      throw new LabError(`${name}: ${taken.join(', ')} ${taken.length > 1 ? 'are' : 'is'} set by the lab itself and cannot be a run setting`, {
        hint: 'use the run options for the resilience mode, telemetry and knock-outs; addresses and credentials come from the topology',
      });
  }
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
      Object.assign(env, options.settings?.[name]); // checked by checkSettings before the restart
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
