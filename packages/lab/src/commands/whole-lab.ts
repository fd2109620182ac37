import { type Command, Option } from 'commander';
import pc from 'picocolors';
import { elapsed } from '../proc.js';
import type { MechanismRef } from '../topology/mechanisms.js';
import { labDown, labUp, labUrls, supervise } from '../topology/whole-lab.js';
import { config, knockoutOption, telemetryOption } from './shared.js';

/** `up` (what `npm start` runs) and `down`. */
export function registerWholeLabCommands(program: Command): void {
  program
    .command('up')
    .description('what "npm start" runs: set-up if needed, infrastructure, proxies, services, gateway; then stays in the foreground')
    .addOption(new Option('--policies <mode>', 'resilience policies (RESILIENCE_MODE)').choices(['on', 'off']).default('on'))
    .option('--detach', 'return once everything is up instead of supervising')
    .option('--no-traffic', 'no ambient k6 traffic')
    .addOption(telemetryOption())
    .addOption(knockoutOption())
    .action(async (options: { policies: 'on' | 'off'; telemetry: 'on' | 'off'; detach?: boolean; traffic: boolean; knockout?: MechanismRef }) => {
      const cfg = config();
      const started = Date.now();
      await labUp(cfg, { resilience: options.policies, telemetry: options.telemetry, traffic: options.traffic, knockout: options.knockout });
      if (options.detach) {
        console.log(pc.green(`\nfaultline lab is up (${elapsed(started)}). Stop it with: npm run faultline -- down\n`));
        console.log(labUrls(cfg));
        return;
      }
      await supervise(cfg, started);
    });

  program
    .command('down')
    .description('stop everything the lab started; data is kept unless --purge')
    .option('--purge', 'also delete all data')
    .action(async (options: { purge?: boolean }) => {
      const stopped = await labDown(config(), options.purge);
      console.log(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing of the lab was running');
    });
}
