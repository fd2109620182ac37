import { type Command, Option } from 'commander';
import { LabError } from '../errors.js';
import { elapsed } from '../proc.js';
import { servicesDown, servicesUp } from '../topology/lab.js';
import type { MechanismRef } from '../topology/mechanisms.js';
import { SERVICE_NAMES, type ServiceName } from '../topology/topology.js';
import { config, knockoutOption, list, printServices, telemetryOption } from './shared.js';

/** `services up | down | status` (only the shop) and `start | stop | restart <service>`. */
export function registerServiceCommands(program: Command): void {
  const services = program.command('services').description('the shop: user, product, order, payment, notification, providers');
  services
    .command('up')
    .description('proxies on every edge, a database per service, then every service (or --only some) until ready')
    .option('--only <names>', 'comma-separated services', list)
    .addOption(new Option('--policies <mode>', 'resilience policies (RESILIENCE_MODE)').choices(['on', 'off']).default('on'))
    .addOption(telemetryOption())
    .addOption(knockoutOption())
    .action(async (options: { only?: ServiceName[]; policies: 'on' | 'off'; telemetry: 'on' | 'off'; knockout?: MechanismRef }) => {
      const cfg = config();
      const started = Date.now();
      await servicesUp(cfg, {
        ...(options.only ? { only: options.only } : {}),
        resilience: options.policies,
        telemetry: options.telemetry,
        knockout: options.knockout,
      });
      console.log(`services ready in ${elapsed(started)}`);
      await printServices(cfg);
    });
  services
    .command('down')
    .description('stop the services the lab started')
    .option('--only <names>', 'comma-separated services', list)
    .action(async (options: { only?: string[] }) => {
      const stopped = await servicesDown(config(), options.only);
      console.log(stopped.length ? `stopped ${stopped.join(', ')}` : 'no service of the lab was running');
    });
  services
    .command('status')
    .description('health of every service; exit 1 unless all are ready')
    .action(async () => {
      if (!(await printServices(config()))) process.exitCode = 1;
    });

  for (const verb of ['start', 'stop', 'restart'] as const) {
    program
      .command(`${verb} <service>`)
      .description(`${verb} one service (crash experiments: stop it mid-saga, start it again)`)
      .addOption(knockoutOption())
      .action(async (name: string, options: { knockout?: MechanismRef }) => {
        if (!SERVICE_NAMES.includes(name as ServiceName)) throw new LabError(`unknown service: ${name}`, { hint: `choose from ${SERVICE_NAMES.join(', ')}` });
        const cfg = config();
        if (verb !== 'start') console.log((await servicesDown(cfg, [name])).length ? `stopped ${name}` : `${name} was not running`);
        if (verb !== 'stop') {
          const started = Date.now();
          if (options.knockout && options.knockout.service !== name)
            throw new LabError(`--knockout names ${options.knockout.service}, not ${name}`, { hint: `restart ${options.knockout.service} instead` });
          const outcome = await servicesUp(cfg, { only: [name as ServiceName], renderer: 'simple', knockout: options.knockout });
          console.log(outcome[name] === 'running' ? `${name} is already running` : `${name} ready in ${elapsed(started)}`);
        }
      });
  }
}
