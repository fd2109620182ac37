import { type Command, InvalidArgumentError } from 'commander';
import pc from 'picocolors';
import { fetchTrace, resolveTraceId } from '../topology/trace.js';
import { waterfall } from '../ui/waterfall.js';
import { config } from './shared.js';

const depth = (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a depth of 0 or more (0 = the root spans)');
  return n;
};

/** `trace <id>`: a trace as a terminal waterfall, read from Jaeger's API (natively there is no Jaeger UI). */
export function registerTraceCommand(program: Command): void {
  program
    .command('trace <id>')
    .description("one request's trace as a waterfall read from Jaeger's API; <id> is a trace id, a traceresponse header or an X-Request-Id")
    .option('--all', 'every span: repeated siblings are not folded into one ×n line')
    .option('--depth <n>', 'only spans down to this depth (0 = the root)', depth)
    .option('--json', 'the spans as JSON')
    .action(async (id: string, options: { all?: boolean; depth?: number; json?: boolean }) => {
      const cfg = config();
      const traceId = await resolveTraceId(cfg, id);
      const trace = await fetchTrace(cfg, traceId);
      if (options.json) {
        console.log(JSON.stringify(trace, null, 2));
        return;
      }
      console.log(waterfall(trace, { ...(options.all ? { all: true } : {}), ...(options.depth !== undefined ? { depth: options.depth } : {}) }));
      console.log(pc.dim(`\nits logs: npm run faultline -- logs --trace ${traceId}`));
    });
}
