import path from 'node:path';
import { type Command, Option } from 'commander';
import { showLogs } from '../topology/logs.js';
import { config } from './shared.js';

/** `logs`: the services' ECS logs merged by time. */
export function registerLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("the services' ECS logs merged by time, human-readable")
    .option('--service <name>', 'only this service')
    .option('--trace <id>', 'only lines of this trace')
    .addOption(new Option('--level <level>', 'this level and more severe').choices(['error', 'warn', 'info', 'debug']))
    .option('--tail <n>', 'only the last n lines', (v) => Number(v))
    .option('-f, --follow', 'keep printing new lines')
    .action(async (options: { service?: string; trace?: string; level?: string; tail?: number; follow?: boolean }) => {
      const cfg = config();
      const count = await showLogs(
        path.join(cfg.stateDir, 'logs'),
        {
          ...(options.service ? { service: options.service } : {}),
          ...(options.trace ? { traceId: options.trace } : {}),
          ...(options.level ? { level: options.level } : {}),
        },
        { ...(options.follow ? { follow: true } : {}), ...(options.tail ? { tail: options.tail } : {}) },
      );
      if (count === 0 && !options.follow) console.error('no matching log lines');
    });
}
