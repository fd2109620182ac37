import { setTimeout as sleep } from 'node:timers/promises';
import pc from 'picocolors';
import type { LabConfig } from '../config.js';
import { jaegerQueryUrl } from '../infra/components/jaeger.js';
import { prometheusUrl } from '../infra/components/prometheus.js';
import { rabbitmqManagementUrl } from '../infra/components/rabbitmq.js';
import { toxiproxyUrl } from '../infra/components/toxiproxy.js';
import { isOurs, logTail, readRecord } from '../infra/daemon.js';
import { infraDown, infraUp, startComponent, stopComponent } from '../infra/runtime.js';
import { elapsed } from '../proc.js';
import { setup } from '../toolchain/setup.js';
import { table } from '../ui/table.js';
import { gateway, gatewayUrl } from './gateway.js';
import { servicesDown, servicesUp } from './lab.js';
import { ambientTraffic } from './load.js';
import type { MechanismRef } from './mechanisms.js';
import { writeServiceTargets } from './prometheus-targets.js';
import { serviceComponent, serviceUrl } from './services.js';
import { SERVICE_NAMES } from './topology.js';

export interface LabUpOptions {
  resilience?: 'on' | 'off';
  /** `off`: services without tracing (OTEL_SDK_DISABLED=true). */
  telemetry?: 'on' | 'off';
  /** Gentle ambient k6 traffic (default on). */
  traffic?: boolean;
  /** One mechanism of one service knocked out. */
  knockout?: MechanismRef | undefined;
}

/** set-up → infrastructure → proxies → services → gateway → Prometheus targets. */
export async function labUp(cfg: LabConfig, options: LabUpOptions = {}): Promise<void> {
  const step = (text: string) => console.log(pc.bold(`\nfaultline: ${text}`));
  step('toolchain');
  // The native lab needs no Docker images and no test tools: `faultline setup` (and npm test) install those.
  await setup(cfg, { nativeLabOnly: true });
  step('infrastructure');
  await infraUp(cfg);
  step('services (each through its own Toxiproxy edges)');
  await servicesUp(cfg, {
    ...(options.resilience ? { resilience: options.resilience } : {}),
    ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    knockout: options.knockout,
  });
  step('gateway and scrape targets');
  await startComponent(cfg, gateway);
  await writeServiceTargets(cfg);
  if (options.traffic !== false) {
    step('ambient traffic (k6, profile ambient; --no-traffic to switch it off)');
    await startComponent(cfg, ambientTraffic);
  }
}

/** The table of everything a user opens. */
export function labUrls(cfg: LabConfig): string {
  const rows: string[][] = [
    ['gateway', `${gatewayUrl(cfg)}/api/…`],
    ...SERVICE_NAMES.map((name) => [name, `${serviceUrl(cfg, name)}   docs ${serviceUrl(cfg, name)}/docs`]),
    ['Prometheus', `${prometheusUrl(cfg)}/classic/graph   alerts ${prometheusUrl(cfg)}/classic/alerts`],
    ['Jaeger API (no UI natively)', `${jaegerQueryUrl(cfg)}   (npm run faultline -- trace <id>)`],
    ['Toxiproxy API', toxiproxyUrl(cfg)],
    ['RabbitMQ management', `${rabbitmqManagementUrl(cfg)}  (guest/guest)`],
    ['logs', `${cfg.stateDir}/logs   (npm run faultline -- logs --follow)`],
  ];
  return table(['what', 'where'], rows);
}

/** Stop everything the lab started: gateway, services, infrastructure. */
export async function labDown(cfg: LabConfig, purge = false): Promise<string[]> {
  const stopped: string[] = [];
  if (await stopComponent(cfg, ambientTraffic)) stopped.push('traffic');
  if (await stopComponent(cfg, gateway, purge)) stopped.push('gateway');
  stopped.push(...(await servicesDown(cfg)));
  stopped.push(...(await infraDown(cfg, { purge })));
  return stopped;
}

/**
 * Stay in the foreground: report a service that dies (with the tail of its log) until Ctrl-C,
 * then stop everything cleanly.
 */
export async function supervise(cfg: LabConfig, started: number): Promise<void> {
  console.log(pc.green(`\nfaultline lab is up (${elapsed(started)}). Ctrl-C stops everything.\n`));
  console.log(labUrls(cfg));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log(pc.bold('\nfaultline: stopping the lab …'));
    const stopped = await labDown(cfg);
    console.log(`stopped ${stopped.join(', ')}; data kept in ${cfg.stateDir}`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const reported = new Set<string>();
  while (!stopping) {
    await sleep(2000);
    for (const name of SERVICE_NAMES) {
      const record = await readRecord(cfg.stateDir, name);
      const alive = record ? (await Promise.all(record.processes.map((p) => isOurs(p.pid, p.match)))).some(Boolean) : false;
      if (!alive && !reported.has(name) && !stopping) {
        reported.add(name);
        const component = serviceComponent(name);
        console.log(pc.red(`\n${name} is not running. Last lines of ${component.logFile(cfg)}:`));
        console.log(await logTail(component.logFile(cfg), 15));
        console.log(pc.yellow(`start it again with: npm run faultline -- start ${name}`));
      }
      if (alive) reported.delete(name);
    }
  }
}
