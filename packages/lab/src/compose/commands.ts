import type { Command } from 'commander';
import pc from 'picocolors';
import { printAuditReport } from '../commands/audit.js';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { fetchJsonOrUndefined } from '../fetch-json.js';
import { rabbitmqAuthOf } from '../infra/components/rabbitmq.js';
import { promVector } from '../infra/prometheus-api.js';
import { elapsed } from '../proc.js';
import { audit } from '../topology/audit.js';
import { LOAD_PROFILES } from '../topology/load.js';
import { showLogs } from '../topology/logs.js';
import { activeFaults, metricsSnapshot } from '../topology/status.js';
import { health, table } from '../ui/table.js';
import { OFFLINE_FILE, OFFLINE_PROJECT } from './offline.js';
import { compose, composeDown, composeUp, composeUrls, containerStates, requireEngine } from './runtime.js';
import { composeAddresses, composeLogDir } from './target.js';

/** Commands that take `--compose`: `faultline up --compose` runs `faultline compose up`. */
const ROUTED = ['up', 'down', 'status', 'load', 'logs', 'audit'];

/** Rewrite `<command> … --compose` into `compose <command> …` (the compose target of the same command). */
export function routeCompose(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const at = args.indexOf('--compose');
  const command = args.find((a) => !a.startsWith('-'));
  if (at < 0 || !command || !ROUTED.includes(command)) return [...argv];
  return [...argv.slice(0, 2), 'compose', ...args.filter((_, i) => i !== at)];
}

const healthWord = (state: string, h: string) => (state !== 'running' ? state : h === 'none' ? 'running' : h === 'healthy' ? 'ready' : h);

/** `faultline compose up|down|status|load` (also reached as `up --compose`, …). */
export function registerComposeCommands(composeCommand: Command, config: () => LabConfig): void {
  composeCommand
    .command('up')
    .description(`the offline stack in Docker (compose/${OFFLINE_FILE}): starts dockerd when none answers, builds missing images, waits until healthy`)
    .option('--detach', 'return once everything is healthy instead of staying in the foreground')
    .option('--no-traffic', 'no ambient k6 traffic')
    .action(async (options: { detach?: boolean; traffic: boolean }) => {
      const cfg = config();
      const started = Date.now();
      const engine = await composeUp(cfg, { onLine: (line) => console.log(`› ${line}`) });
      if (options.traffic) await compose(cfg, engine, ['--profile', 'load', 'up', '-d', 'k6'], { what: 'starting the ambient k6 traffic' });
      console.log(pc.green(`\nfaultline compose stack is up (${elapsed(started)}).`));
      console.log(table(['what', 'where'], Object.entries(composeUrls())));
      if (options.detach) {
        console.log('Stop it with: npm run faultline -- down --compose');
        return;
      }
      console.log('Ctrl-C stops the stack.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      console.log('\nstopping the compose stack …');
      console.log((await composeDown(cfg)).join('\n') || 'nothing was running');
    });

  composeCommand
    .command('down')
    .description('remove the stack: containers, network and volumes')
    .option('--engine', "also stop the lab's own dockerd (an engine faultline did not start is left alone)")
    .action(async (options: { engine?: boolean }) => {
      const did = await composeDown(config(), { ...(options.engine ? { engine: true } : {}) });
      console.log(did.length ? did.join('\n') : 'nothing of the compose stack was running');
    });

  composeCommand
    .command('status')
    .description('every container of the stack with its health; exit 1 unless all are ready')
    .action(async () => {
      const engine = await requireEngine(config());
      const states = await containerStates(engine);
      if (!states.length) {
        console.log(`no container of project ${OFFLINE_PROJECT}: start the stack with "npm run faultline -- up --compose"`);
        process.exitCode = 1;
        return;
      }
      console.log(
        table(
          ['service', 'state', 'container'],
          states.map((c) => [c.service, health(healthWord(c.state, c.health)), c.name]),
        ),
      );
      console.log(table(['what', 'where'], Object.entries(composeUrls())));
      await printComposeHealth(config());
      if (states.some((c) => c.service !== 'k6' && healthWord(c.state, c.health) !== 'ready' && healthWord(c.state, c.health) !== 'running'))
        process.exitCode = 1;
    });

  composeCommand
    .command('audit')
    .description("the invariant audit against the compose stack, through the services' gateway edges on the Toxiproxy container")
    .option('--stuck-after <seconds>', 'a saga older than this is stuck', (v) => Number(v), 60)
    .option('--json', 'machine-readable output')
    .action(async (options: { stuckAfter: number; json?: boolean }) => {
      printAuditReport(await audit(composeAddresses(config()), { stuckAfterSec: options.stuckAfter }), options.json);
    });

  composeCommand
    .command('logs')
    .description("the services' ECS logs from the stack's service-logs volume, merged by time, human-readable")
    .option('--service <name>', 'only this service')
    .option('--trace <id>', 'only lines of this trace')
    .option('--level <level>', 'this level and more severe (error, warn, info, debug)')
    .option('--tail <n>', 'only the last n lines', (v) => Number(v))
    .action(async (options: { service?: string; trace?: string; level?: string; tail?: number }) => {
      const logs = await composeLogDir(await requireEngine(config()));
      if (!logs) throw new LabError('no service container of the compose stack is running', { hint: 'start it with "npm run faultline -- up --compose"' });
      try {
        const count = await showLogs(
          logs.dir,
          {
            ...(options.service ? { service: options.service } : {}),
            ...(options.trace ? { traceId: options.trace } : {}),
            ...(options.level ? { level: options.level } : {}),
          },
          { ...(options.tail ? { tail: options.tail } : {}) },
        );
        if (count === 0) console.error('no matching log lines');
      } finally {
        await logs.release();
      }
    });

  composeCommand
    .command('load <profile>')
    .description(`the k6 suite in its container through the gateway (${LOAD_PROFILES.join(', ')}); results go to the stack's Prometheus`)
    .option('--scale <factor>', 'shrink every stage (0.1 = a tenth of the time)', (v) => Number(v))
    .action(async (profile: string, options: { scale?: number }) => {
      if (!LOAD_PROFILES.includes(profile as (typeof LOAD_PROFILES)[number]))
        throw new LabError(`unknown load profile: ${profile}`, { hint: `choose from ${LOAD_PROFILES.join(', ')}` });
      const cfg = config();
      const engine = await requireEngine(cfg);
      const env = ['-e', `PROFILE=${profile}`, '-e', `K6_PROFILE=${profile}`, ...(options.scale ? ['-e', `DURATION_SCALE=${options.scale}`] : [])];
      const args = [
        '--profile',
        'load',
        'run',
        '--rm',
        '--no-deps',
        ...env,
        'k6',
        'run',
        '--no-color',
        '--out',
        'experimental-prometheus-rw',
        '--tag',
        `profile=${profile}`,
        '/load/shop.ts',
      ];
      const result = await compose(cfg, engine, args, { onLine: (line) => console.log(line), what: `k6 ${profile} in its container` }).catch(
        (error: unknown) => {
          if (error instanceof LabError && /exit 99/.test(error.message))
            throw new LabError('a threshold of the load test failed (k6 exit 99)', { hint: 'read the summary above: which threshold, by how much' });
          throw error;
        },
      );
      return result && undefined;
    });
}

/** Breakers (from the stack's Prometheus), faults on the Toxiproxy container, queues (the management API). */
async function printComposeHealth(cfg: LabConfig): Promise<void> {
  const target = composeAddresses(cfg);
  const breakers = await promVector(target, 'resilience4j_circuitbreaker_state == 1').catch(() => []);
  if (breakers.length)
    console.log(
      table(
        ['service', 'dependency', 'breaker'],
        breakers.map((b) => [
          b.metric.application ?? '?',
          b.metric.name ?? '?',
          b.metric.state === 'closed' ? pc.green('closed') : pc.red(b.metric.state ?? '?'),
        ]),
      ),
    );
  for (const k of (await metricsSnapshot(target)).knockouts)
    console.log(pc.red(`KNOCKED OUT ${k.mechanism} of ${k.service}→${k.target}: "npm run faultline -- up --compose" recreates ${k.service} without it`));
  const faults = await activeFaults(target).catch(() => []);
  console.log(
    faults.length
      ? table(
          ['edge', 'enabled', 'toxics'],
          faults.map((f) => [f.name, String(f.enabled), f.toxics.join(' ') || '-']),
        )
      : 'active faults: none',
  );
  const queues =
    (await fetchJsonOrUndefined<{ name: string; messages?: number }[]>(`http://127.0.0.1:${target.ports['rabbitmq-management']}/api/queues/%2F`, {
      headers: rabbitmqAuthOf(target),
      timeoutMs: 3000,
    })) ?? [];
  const dead = queues.filter((q) => q.name.endsWith('.dlq')).reduce((a, q) => a + (q.messages ?? 0), 0);
  console.log(`queues: ${queues.length}, dead letters: ${dead}`);
}
