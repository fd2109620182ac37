import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../config.js';
import { prometheusTargetsDir } from '../infra/components/prometheus.js';
import { SERVICE_NAMES } from './topology.js';

/** File-discovered scrape targets of the services (Prometheus picks the file up within seconds). */
export function serviceTargets(cfg: LabConfig): { targets: string[]; labels: Record<string, string> }[] {
  return SERVICE_NAMES.map((name) => ({ targets: [`127.0.0.1:${cfg.ports[name]}`], labels: { service: name } }));
}

export async function writeServiceTargets(cfg: LabConfig): Promise<void> {
  await writeFile(path.join(prometheusTargetsDir(cfg), 'services.json'), `${JSON.stringify(serviceTargets(cfg), null, 2)}\n`);
}
