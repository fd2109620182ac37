import { type Command, Option } from 'commander';
import { infraDown, infraStatus, infraUp } from '../infra/runtime.js';
import { elapsed } from '../proc.js';
import { config, list, printInfra } from './shared.js';

/** `infra up | down | status`: only PostgreSQL, RabbitMQ, Prometheus, Toxiproxy, Jaeger. */
export function registerInfraCommands(program: Command): void {
  const infra = program.command('infra').description('the native infrastructure: PostgreSQL, RabbitMQ, Prometheus, Toxiproxy, Jaeger');
  infra
    .command('up')
    .description('start every component (or --only some) and wait until each answers')
    .option('--only <names>', 'comma-separated components', list)
    .action(async (options: { only?: string[] }) => {
      const cfg = config();
      const started = Date.now();
      const outcome = await infraUp(cfg, options.only ? { only: options.only } : {});
      const fresh = Object.entries(outcome)
        .filter(([, v]) => v === 'started')
        .map(([k]) => k);
      console.log(`infrastructure ready in ${elapsed(started)} (${fresh.length ? `started ${fresh.join(', ')}` : 'all already running'})`);
      await printInfra(cfg);
    });
  infra
    .command('down')
    .description('stop the processes the lab started (by pid); data is kept unless --purge')
    .option('--purge', 'also delete their data')
    .option('--only <names>', 'comma-separated components', list)
    .action(async (options: { purge?: boolean; only?: string[] }) => {
      const stopped = await infraDown(config(), options);
      console.log(stopped.length ? `stopped ${stopped.join(', ')}${options.purge ? ' and deleted their data' : ''}` : 'nothing of the lab was running');
    });
  infra
    .command('status')
    .description('health of every component; exit 1 unless all are ready')
    .addOption(new Option('--json', 'machine-readable output'))
    .action(async (options: { json?: boolean }) => {
      const cfg = config();
      if (options.json) {
        console.log(JSON.stringify(await infraStatus(cfg), null, 2));
        return;
      }
      if (!(await printInfra(cfg))) process.exitCode = 1;
    });
}
