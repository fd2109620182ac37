import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import type { ServiceRunOptions } from '../topology/services.js';
import { SERVICE_NAMES, type ServiceName } from '../topology/topology.js';

/** Where a run's gateway access log starts: an offset in the native log file, a time for a container's log. */
export type AccessLogMark = { readonly offset: number } | { readonly since: number };

/**
 * A lab the chaos runner can drive: the native processes or the compose stack. Everything the
 * runner does to the lab goes through here; everything it reads by address (Prometheus, Toxiproxy,
 * RabbitMQ's management API, the gateway, each service's own port) is in `cfg`, so probes,
 * faults on edges and expectations work unchanged on either.
 */
export interface LabTarget {
  readonly kind: 'native' | 'compose';
  /** The lab's addresses (the compose stack's published ports for compose). */
  readonly cfg: LabConfig;
  /** The command that brings the services back as the lab starts them, for a run that could not restore them. */
  readonly restoreCommand: string;
  /** Resolves when every component, service and the gateway is ready; otherwise an error naming what is not and how to start it. */
  assertReady(): Promise<void>;
  /** Stop one service (a crash experiment). */
  stopService(name: ServiceName): Promise<void>;
  /** Start one service until it is ready: `started`, or `running` when it already ran. */
  startService(name: ServiceName): Promise<'started' | 'running'>;
  /**
   * Restart services with run options until ready: every service with the policies off, else the
   * service a knock-out names and those given settings. Resolves to how to put them back as they were started.
   */
  restartWith(options: RestartOptions): Promise<() => Promise<void>>;
  /** Where the gateway's access log ends now, so that a run reads only its own lines. */
  accessLogMark(): Promise<AccessLogMark>;
  /** The gateway's access-log lines (ECS JSON, one request each) from `mark` on. */
  accessLogLines(mark: AccessLogMark): AsyncIterable<string>;
  /** Make Prometheus read its alerting rules again. */
  reloadRules(): Promise<void>;
}

/** What a run changes in the services: the resilience mode, one knock-out, settings of single services. */
export type RestartOptions = Required<Pick<ServiceRunOptions, 'resilience'>> & Pick<ServiceRunOptions, 'knockout' | 'settings'>;

/** The services a restart with `options` touches: all of them with the policies off, else the knocked-out one and those given settings. */
export function restartedServices(options: RestartOptions): ServiceName[] {
  if (options.resilience === 'off') return [...SERVICE_NAMES];
  const touched = new Set<ServiceName>(Object.keys(options.settings ?? {}) as ServiceName[]);
  if (options.knockout) touched.add(options.knockout.service);
  return SERVICE_NAMES.filter((name) => touched.has(name));
}

/**
 * A restart with run options failed: put the services back as the lab starts them, and throw the
 * failure — with the restore's own failure and the command that brings them back, when that failed too.
 */
export async function restoreAfter(error: unknown, restore: () => Promise<void>, restoreCommand: string): Promise<never> {
  try {
    await restore();
  } catch (restoreError) {
    const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
    throw new LabError(`${why(error)}; putting the services back failed too (${why(restoreError)})`, { hint: `run "${restoreCommand}" to bring them back` });
  }
  throw error;
}
