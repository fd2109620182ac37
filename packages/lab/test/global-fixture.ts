// Mocha global fixture: the tests run against the real native infrastructure. Whatever the
// tests started (infrastructure, services, gateway) is stopped again at the end
// (FAULTLINE_KEEP_INFRA=1 keeps it running).
import { componentStatus, infraDown, infraStatus, infraUp, loadConfig, stopComponent } from '../src/index.js';
import { gateway } from '../src/topology/gateway.js';
import { servicesDown, servicesStatus } from '../src/topology/lab.js';

let startedByTests: string[] = [];
let servicesBefore = new Set<string>();
let gatewayBefore = false;

export async function mochaGlobalSetup(): Promise<void> {
  const cfg = loadConfig();
  const before = await infraStatus(cfg);
  servicesBefore = new Set((await servicesStatus(cfg)).filter((s) => s.health === 'ready').map((s) => s.name));
  gatewayBefore = (await componentStatus(cfg, gateway)).health === 'ready';
  const outcome = await infraUp(cfg, { renderer: 'simple' });
  startedByTests = Object.entries(outcome)
    .filter(([name, result]) => result === 'started' && before.find((s) => s.name === name)?.health !== 'ready')
    .map(([name]) => name);
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (process.env.FAULTLINE_KEEP_INFRA === '1') return;
  const cfg = loadConfig();
  const services = (await servicesStatus(cfg)).filter((s) => s.pids.length && !servicesBefore.has(s.name)).map((s) => s.name);
  if (services.length) await servicesDown(cfg, services);
  if (!gatewayBefore) await stopComponent(cfg, gateway);
  if (startedByTests.length) await infraDown(cfg, { only: startedByTests });
}
