import type { Command } from 'commander';
import pc from 'picocolors';
import { formatJson } from '../format-json.js';
import { componentStatus, infraStatus } from '../infra/runtime.js';
import { labMemory, MIB } from '../perf/lab-processes.js';
import { deadLetterGroups, deadLetterQueueUrl } from '../topology/dead-letters.js';
import { gateway } from '../topology/gateway.js';
import { servicesStatus } from '../topology/lab.js';
import { activeFaults, metricsSnapshot, queueStates } from '../topology/status.js';
import { health, table } from '../ui/table.js';
import { config, printInfra, printServices } from './shared.js';

/** Breaker states in colour: closed green, half-open yellow, open and forced-open red, disabled (policies off) dim. */
const breakerColour = (state: string) =>
  state === 'closed' ? pc.green(state) : state === 'half_open' ? pc.yellow(state) : state === 'disabled' ? pc.dim(state) : pc.red(state);

const mib = (bytes: number) => (bytes / MIB).toFixed(0);

/** `status`: the whole lab at a glance. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('every component, service and the gateway; breaker state per dependency; active faults; queue depths and dead letters; memory by component')
    .option('--json', 'all of it as JSON')
    .action(async (options: { json?: boolean }) => {
      const cfg = config();
      if (options.json) {
        const [infra, services, gatewayState, snapshot, faults, queues, memory] = await Promise.all([
          infraStatus(cfg),
          servicesStatus(cfg),
          componentStatus(cfg, gateway),
          metricsSnapshot(cfg),
          activeFaults(cfg),
          queueStates(cfg),
          labMemory(cfg),
        ]);
        process.stdout.write(formatJson({ infrastructure: infra, services, gateway: gatewayState, ...snapshot, activeFaults: faults, queues, memory }));
        if (![...infra, ...services, gatewayState].every((c) => c.health === 'ready')) process.exitCode = 1;
        return;
      }
      const infraOk = await printInfra(cfg);
      const servicesOk = await printServices(cfg);
      const gatewayState = await componentStatus(cfg, gateway);
      console.log(`gateway: ${health(gatewayState.health)} ${gatewayState.endpoint}`);
      const snapshot = await metricsSnapshot(cfg);
      if (snapshot.breakers.length)
        console.log(
          table(
            ['service', 'dependency', 'breaker'],
            snapshot.breakers.map((b) => [b.service, b.dependency, breakerColour(b.state)]),
          ),
        );
      for (const k of snapshot.knockouts)
        console.log(
          pc.bgRed(pc.white(` KNOCKED OUT `)) + pc.red(` ${k.mechanism} of ${k.service}→${k.target}: restart ${k.service} without --knockout to restore it`),
        );
      const faults = await activeFaults(cfg);
      console.log(
        faults.length
          ? table(
              ['edge', 'enabled', 'toxics'],
              faults.map((f) => [f.name, String(f.enabled), f.toxics.join(' ') || '-']),
            )
          : 'active faults: none',
      );
      const queues = await queueStates(cfg);
      if (queues.length)
        console.log(
          table(
            ['queue', 'messages', 'consumers'],
            queues.map((q) => [q.deadLetter ? pc.yellow(q.name) : q.name, String(q.messages), String(q.consumers)]),
          ),
        );
      const deadQueues = queues.filter((q) => q.deadLetter);
      const dead = deadQueues.reduce((a, q) => a + q.messages, 0);
      console.log(`dead letters: ${dead}`);
      if (dead > 0) {
        const groups = await deadLetterGroups(cfg, deadQueues);
        console.log(
          table(
            ['dead-letter queue', 'reason', 'event', 'letters', 'example'],
            groups.map((g) => [
              g.queue,
              pc.yellow(g.reason),
              g.event,
              String(g.count),
              `${g.example.messageId}${g.example.detail ? `: ${g.example.detail.slice(0, 120)}` : ''}`,
            ]),
          ),
        );
        console.log('they are left in place; read them in the RabbitMQ management UI (guest/guest), "Get messages":');
        for (const q of deadQueues.filter((d) => d.messages > 0)) console.log(`  ${deadLetterQueueUrl(cfg, q.name)}`);
      }
      const memory = await labMemory(cfg);
      if (memory.components.length)
        console.log(
          table(
            ['memory', 'processes', 'RSS MiB', 'PSS MiB'],
            [
              ...memory.components.map((c) => [c.component, String(c.processes), mib(c.rss), mib(c.pss)]),
              [
                pc.bold('lab'),
                String(memory.components.reduce((sum, c) => sum + c.processes, 0)),
                pc.bold(mib(memory.total.rss)),
                pc.bold(mib(memory.total.pss)),
              ],
            ],
          ),
        );
      if (!infraOk || !servicesOk || gatewayState.health !== 'ready') process.exitCode = 1;
    });
}
