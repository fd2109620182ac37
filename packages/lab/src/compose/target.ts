import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LabConfig, loadConfig } from '../config.js';
import type { Engine } from '../images/engine.js';
import { run } from '../proc.js';
import { SERVICE_NAMES } from '../topology/topology.js';
import { publishedServices } from './offline.js';
import { containerStates } from './runtime.js';
import { OFFLINE_PUBLISHED, SERVICE_LOG_DIR } from './stack.js';

/**
 * The lab configuration pointed at the compose stack: what the stack publishes on 127.0.0.1 (the
 * gateway, Prometheus, Jaeger, the RabbitMQ management API, the Toxiproxy API, each service's own
 * port) replaces the native ports, so code that reaches the lab by those addresses (faults on
 * edges, Prometheus queries, probes, the audit) works unchanged against compose.
 */
export function composeAddresses(cfg: LabConfig): LabConfig {
  const defaults = { ...loadConfig({}), root: cfg.root };
  return {
    ...cfg,
    rabbitmqCredentials: COMPOSE_RABBITMQ_CREDENTIALS,
    ports: {
      ...cfg.ports,
      gateway: OFFLINE_PUBLISHED.gateway,
      prometheus: OFFLINE_PUBLISHED.prometheus,
      toxiproxy: OFFLINE_PUBLISHED.toxiproxy,
      'jaeger-query': OFFLINE_PUBLISHED.jaeger,
      'rabbitmq-management': OFFLINE_PUBLISHED.rabbitmq,
      ...Object.fromEntries(publishedServices(defaults).map((s) => [s.service, s.hostPort])),
    },
  };
}

/** The compose stack's RabbitMQ user (docker-compose.offline.yml's image). */
export const COMPOSE_RABBITMQ_CREDENTIALS = 'faultline:faultline';

/**
 * Copy the services' ECS log files out of the `service-logs` volume (through any service container)
 * into a temporary folder; `release` deletes it.
 */
export async function composeLogDir(engine: Engine): Promise<{ dir: string; release: () => Promise<void> } | undefined> {
  const holder = (await containerStates(engine)).find((c) => (SERVICE_NAMES as readonly string[]).includes(c.service));
  if (!holder) return undefined;
  const dir = await mkdtemp(path.join(tmpdir(), 'faultline-logs-'));
  const copied = await run('docker', ['cp', `${holder.name}:${SERVICE_LOG_DIR}/.`, dir], { env: engine.env });
  if (copied.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  return { dir, release: () => rm(dir, { recursive: true, force: true }) };
}
