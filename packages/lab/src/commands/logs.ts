import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseSince, showLogs } from '../topology/logs.js';
import { config } from './shared.js';

const count = (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of lines, e.g. 50');
  return n;
};
const since = (text: string) => {
  const at = parseSince(text);
  if (at === undefined) throw new InvalidArgumentError('expected a duration back (30s, 5m, 2h, 1d) or an ISO time (2026-11-27T08:00:00Z)');
  return at;
};

/** `logs`: the services' and the gateway's ECS logs merged by time. */
export function registerLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("the services' ECS logs and the gateway's access log, merged by time, human-readable")
    .option('--service <name>', 'only this service (gateway: the access log)')
    .option('--trace <id>', 'only lines of this trace (the id in a traceresponse header or a problem’s traceId)')
    .addOption(new Option('--level <level>', 'this level and more severe').choices(['error', 'warn', 'info', 'debug']))
    .option('-n, --tail <n>', 'only the last n lines (with --follow: 10 unless given)', count)
    .option('--since <time>', 'only lines since 30s, 5m, 2h, 1d ago or an ISO time', since)
    .option('-f, --follow', 'keep printing new lines, starting at the tail')
    .action(async (options: { service?: string; trace?: string; level?: string; tail?: number; since?: number; follow?: boolean }) => {
      const cfg = config();
      const shown = await showLogs(
        path.join(cfg.stateDir, 'logs'),
        {
          ...(options.service ? { service: options.service } : {}),
          ...(options.trace ? { traceId: options.trace } : {}),
          ...(options.level ? { level: options.level } : {}),
        },
        {
          ...(options.follow ? { follow: true } : {}),
          ...(options.tail ? { tail: options.tail } : {}),
          ...(options.since !== undefined ? { since: options.since } : {}),
        },
      );
      if (shown === 0 && !options.follow) console.error('no matching log lines');
    });
}
