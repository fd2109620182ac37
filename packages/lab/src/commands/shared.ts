import { Option } from 'commander';
import { type LabConfig, loadConfig } from '../config.js';
import { infraStatus } from '../infra/runtime.js';
import { servicesStatus } from '../topology/lab.js';
import { parseRef } from '../topology/mechanisms.js';
import { health, table } from '../ui/table.js';

/** The lab's settings, read when a command runs (so `--help` works with a broken environment). */
export const config = (): LabConfig => loadConfig();

/** `--only a,b` → `['a', 'b']`. */
export const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `--knockout "<mechanism> <service>→<target>"`, checked against the topology. */
export const knockoutOption = () =>
  new Option('--knockout <ref>', 'remove one resilience mechanism of one service, e.g. "bulkhead order→product" (chaos prove uses it)').argParser(
    (text: string) => parseRef(text),
  );

/** `--telemetry off`: the services without tracing (OTEL_SDK_DISABLED=true), to see what tracing costs. */
export const telemetryOption = () =>
  new Option('--telemetry <mode>', 'tracing in the services (off sets OTEL_SDK_DISABLED=true)').choices(['on', 'off']).default('on');

/** The infrastructure table; true when every component is ready. */
export async function printInfra(cfg: LabConfig): Promise<boolean> {
  const statuses = await infraStatus(cfg);
  console.log(
    table(
      ['component', 'state', 'pid', 'where'],
      statuses.map((s) => [s.name, health(s.health), s.pids.join(' ') || '-', s.endpoint]),
    ),
  );
  console.log(`logs: ${cfg.stateDir}/logs`);
  return statuses.every((s) => s.health === 'ready');
}

/** The services table; true when every service is ready. */
export async function printServices(cfg: LabConfig): Promise<boolean> {
  const statuses = await servicesStatus(cfg);
  console.log(
    table(
      ['service', 'state', 'pid', 'where'],
      statuses.map((s) => [s.name, health(s.health), s.pids.join(' ') || '-', s.endpoint]),
    ),
  );
  return statuses.every((s) => s.health === 'ready');
}
