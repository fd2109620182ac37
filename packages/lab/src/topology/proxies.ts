import type { LabConfig } from '../config.js';
import { edgeState, populateProxies, removeToxic } from '../infra/toxiproxy-client.js';
import { type Edge, edges } from './topology.js';

/** Where an edge's proxy forwards to: the real dependency's port. */
export function upstreamOf(cfg: LabConfig, e: Edge): string {
  const port = e.to === 'postgres' ? cfg.ports.postgres : e.to === 'rabbitmq' ? cfg.ports['rabbitmq-amqp'] : cfg.ports[e.to];
  return `127.0.0.1:${port}`;
}

/** The Toxiproxy configuration (the `-config` / `POST /populate` format) for every edge. */
export function proxyConfig(cfg: LabConfig): { name: string; listen: string; upstream: string; enabled: boolean }[] {
  return edges(cfg.ports['proxy-base']).map((e) => ({ name: e.name, listen: `127.0.0.1:${e.listenPort}`, upstream: upstreamOf(cfg, e), enabled: true }));
}

/**
 * Create or update every edge's proxy (Toxiproxy's `/populate` is idempotent) and remove toxics
 * left from an interrupted experiment. Returns the number of proxies.
 */
export async function applyProxies(cfg: LabConfig): Promise<number> {
  const config = proxyConfig(cfg);
  await populateProxies(cfg, config).catch((error: unknown) => {
    throw new Error(`toxiproxy refused the proxies: ${error instanceof Error ? error.message : String(error)}`);
  });
  // Only the topology's own edges: other proxies (tests, experiments elsewhere) are not ours to touch.
  for (const proxy of config) for (const toxic of (await edgeState(cfg, proxy.name)).toxics) await removeToxic(cfg, proxy.name, toxic.name);
  return config.length;
}
