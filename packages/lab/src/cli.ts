import path from 'node:path';
import { Command, Option } from 'commander';
import pc from 'picocolors';
import { registerComposeCommands, routeCompose } from './compose/commands.js';
import { staleComposeFiles, writeComposeFiles } from './compose/files.js';
import { type LabConfig, loadConfig } from './config.js';
import { LabError } from './errors.js';
import { registerImageCommands } from './images/commands.js';
import { componentStatus, infraDown, infraStatus, infraUp } from './infra/runtime.js';
import { PORT_TABLE, portEnvVar, portsMarkdown } from './ports.js';
import { elapsed } from './proc.js';
import { checkToolchain } from './toolchain/check.js';
import { setup } from './toolchain/setup.js';
import { audit } from './topology/audit.js';
import { gateway } from './topology/gateway.js';
import { servicesDown, servicesStatus, servicesUp } from './topology/lab.js';
import { LOAD_PROFILES, type LoadProfile, runLoad } from './topology/load.js';
import { showLogs } from './topology/logs.js';
import { type MechanismRef, parseRef } from './topology/mechanisms.js';
import { proxyConfig } from './topology/proxies.js';
import { activeFaults, metricsSnapshot, queueStates } from './topology/status.js';
import { SERVICE_NAMES, type ServiceName } from './topology/topology.js';
import { labDown, labUp, labUrls, supervise } from './topology/whole-lab.js';
import { health, table } from './ui/table.js';

/** `--knockout "<mechanism> <service>→<target>"`, checked against the topology. */
const knockoutOption = () =>
  new Option('--knockout <ref>', 'remove one resilience mechanism of one service, e.g. "bulkhead order→product" (chaos prove uses it)').argParser(
    (text: string) => parseRef(text),
  );

/** Breaker states in colour: closed green, half-open yellow, open and forced-open red, disabled (policies off) dim. */
const breakerColour = (state: string) =>
  state === 'closed' ? pc.green(state) : state === 'half_open' ? pc.yellow(state) : state === 'disabled' ? pc.dim(state) : pc.red(state);

const program = new Command('faultline').description('Faultline lab: toolchain, native infrastructure and status').showHelpAfterError();
const config = (): LabConfig => loadConfig();
const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

async function printStatus(cfg: LabConfig): Promise<boolean> {
  const statuses = await infraStatus(cfg);
  console.log(
    table(
      ['component', 'state', 'pid', 'where'],
      statuses.map((s) => [s.name, health(s.health), s.pids.join(' ') || '-', s.endpoint]),
    ),
  );
  console.log(`logs: ${cfg.stateDir}/logs`);
  return statuses.every((s) => s.health === 'ready');
}

async function printServices(cfg: LabConfig): Promise<boolean> {
  const statuses = await servicesStatus(cfg);
  console.log(
    table(
      ['service', 'state', 'pid', 'where'],
      statuses.map((s) => [s.name, health(s.health), s.pids.join(' ') || '-', s.endpoint]),
    ),
  );
  return statuses.every((s) => s.health === 'ready');
}

program
  .command('setup')
  .description('install what is missing: Debian packages and the pinned Go tools (.tools/bin)')
  .option('--check', 'only compare pinned with installed versions; exit 1 when they differ')
  .action(async (options: { check?: boolean }) => {
    const cfg = config();
    if (options.check) {
      const rows = await checkToolchain(cfg);
      console.log(
        table(
          ['kind', 'name', 'pinned', 'installed', ''],
          rows.map((r) => [r.kind, r.name, r.pinned, r.installed, health(r.ok ? 'ok' : r.installed === 'missing' ? 'missing' : 'differs')]),
        ),
      );
      const bad = rows.filter((r) => !r.ok);
      if (bad.length)
        throw new LabError(`${bad.length} tool(s) missing or not at the pinned version: ${bad.map((r) => r.name).join(', ')}`, {
          hint: 'run "npm run faultline -- setup"',
        });
      console.log(pc.green('toolchain matches the pins'));
      return;
    }
    const started = Date.now();
    const summary = await setup(cfg);
    const did = [...summary.installedPackages.map((p) => `installed ${p}`), ...summary.builtTools.map((t) => `built ${t}`)];
    console.log(`setup done in ${elapsed(started)}: ${did.length ? did.join(', ') : 'everything was already in place'}`);
  });

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
    await printStatus(cfg);
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
    if (!(await printStatus(cfg))) process.exitCode = 1;
  });

const services = program.command('services').description('the shop: user, product, order, payment, notification, providers');
services
  .command('up')
  .description('proxies on every edge, a database per service, then every service (or --only some) until ready')
  .option('--only <names>', 'comma-separated services', list)
  .addOption(new Option('--policies <mode>', 'resilience policies (RESILIENCE_MODE)').choices(['on', 'off']).default('on'))
  .addOption(knockoutOption())
  .action(async (options: { only?: ServiceName[]; policies: 'on' | 'off'; knockout?: MechanismRef }) => {
    const cfg = config();
    const started = Date.now();
    await servicesUp(cfg, { ...(options.only ? { only: options.only } : {}), resilience: options.policies, knockout: options.knockout });
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

program
  .command('up')
  .description('what "npm start" runs: set-up if needed, infrastructure, proxies, services, gateway; then stays in the foreground')
  .addOption(new Option('--policies <mode>', 'resilience policies (RESILIENCE_MODE)').choices(['on', 'off']).default('on'))
  .option('--detach', 'return once everything is up instead of supervising')
  .option('--no-traffic', 'no ambient k6 traffic')
  .addOption(knockoutOption())
  .action(async (options: { policies: 'on' | 'off'; detach?: boolean; traffic: boolean; knockout?: MechanismRef }) => {
    const cfg = config();
    const started = Date.now();
    await labUp(cfg, { resilience: options.policies, traffic: options.traffic, knockout: options.knockout });
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

program
  .command('status')
  .description('every component, service and the gateway; breaker state per dependency; active faults; queue depths and dead letters')
  .action(async () => {
    const cfg = config();
    const infraOk = await printStatus(cfg);
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
    const dead = queues.filter((q) => q.deadLetter).reduce((a, q) => a + q.messages, 0);
    console.log(`dead letters: ${dead}`);
    if (!infraOk || !servicesOk || gatewayState.health !== 'ready') process.exitCode = 1;
  });

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

const compose = program.command('compose').description('the same stack in docker compose, generated from the topology');
compose
  .command('generate')
  .description(
    'write compose/: docker-compose.yml and its configs (Toxiproxy, Kong, Prometheus, PostgreSQL, Filebeat, Elasticsearch template, Kibana objects, Grafana datasources)',
  )
  .option('--check', 'only report files that are stale; exit 1 if any')
  .action(async (options: { check?: boolean }) => {
    const cfg = config();
    if (options.check) {
      const stale = await staleComposeFiles(cfg);
      if (stale.length)
        throw new LabError(`stale generated files: ${stale.join(', ')}`, { hint: 'run "npm run faultline -- compose generate" and commit the result' });
      console.log('compose files match the topology');
      return;
    }
    console.log(`wrote ${(await writeComposeFiles(cfg)).join(', ')}`);
  });

program
  .command('load <profile>')
  .description(`run the shop's k6 load test through the gateway (${LOAD_PROFILES.join(', ')}); results also go to Prometheus`)
  .option('--scale <factor>', 'shrink every stage (0.1 = a tenth of the time)', (v) => Number(v))
  .option('--summary <file>', 'write the k6 summary as JSON')
  .option('--report <file>', 'write the k6 HTML report')
  .action(async (profileName: string, options: { scale?: number; summary?: string; report?: string }) => {
    if (!LOAD_PROFILES.includes(profileName as LoadProfile))
      throw new LabError(`unknown load profile: ${profileName}`, { hint: `choose from ${LOAD_PROFILES.join(', ')}` });
    const cfg = config();
    const result = await runLoad(cfg, {
      profile: profileName as LoadProfile,
      ...(options.scale ? { durationScale: options.scale } : {}),
      ...(options.summary ? { summaryJson: path.resolve(options.summary) } : {}),
      ...(options.report ? { htmlReport: path.resolve(options.report) } : {}),
      onLine: (line) => console.log(line),
    });
    if (result.code === 99)
      throw new LabError('a threshold of the load test failed (k6 exit 99)', { hint: 'read the summary above: which threshold, by how much' });
    if (result.code !== 0) throw new LabError(`k6 exited ${result.code}`);
  });

program
  .command('audit')
  .description("the invariant audit through the services' admin APIs: stock, payments, refunds, ledger, stuck sagas; exit 1 when anything is wrong")
  .option('--stuck-after <seconds>', 'a saga older than this is stuck', (v) => Number(v), 60)
  .option('--json', 'machine-readable output')
  .action(async (options: { stuckAfter: number; json?: boolean }) => {
    const report = await audit(config(), { stuckAfterSec: options.stuckAfter });
    if (options.json) console.log(JSON.stringify(report, null, 2));
    else if (report.clean) console.log(pc.green(`audit clean: ${report.checkedOrders} orders checked, stock, payments, refunds, ledger and sagas consistent`));
    else {
      console.log(
        table(
          ['invariant', 'order', 'what is wrong'],
          report.violations.map((v) => [v.invariant, v.orderId ?? '-', v.detail]),
        ),
      );
      console.log(pc.red(`${report.violations.length} violation(s) in ${report.checkedOrders} orders`));
    }
    if (!report.clean) process.exitCode = 1;
  });

program
  .command('edges')
  .description('every Toxiproxy edge of the topology: name, listen port, upstream')
  .action(() => {
    const cfg = config();
    console.log(
      table(
        ['edge', 'listen', 'upstream'],
        proxyConfig(cfg).map((p) => [p.name, p.listen, p.upstream]),
      ),
    );
  });

program
  .command('ports')
  .description('the port table (with overrides applied)')
  .option('--markdown', 'as the Markdown table used in the README')
  .action((options: { markdown?: boolean }) => {
    const cfg = config();
    if (options.markdown) console.log(portsMarkdown(cfg.ports));
    else
      console.log(
        table(
          ['name', 'port', 'component', 'override'],
          PORT_TABLE.map((p) => [p.name, String(cfg.ports[p.name]), p.component, portEnvVar(p.name)]),
        ),
      );
  });

registerImageCommands(program, config);
registerComposeCommands(compose, config);

// The chaos commands live in their own package (it depends on this one); loaded by name.
const chaosCli: string = '@faultline/chaos/cli';
const { registerChaosCommands } = (await import(chaosCli)) as { registerChaosCommands: (p: Command, c: () => LabConfig) => void };
registerChaosCommands(program, config);

try {
  await program.parseAsync(routeCompose(process.argv));
} catch (error) {
  if (error instanceof LabError) {
    console.error(pc.red(`\nfaultline: ${error.describe()}`));
  } else {
    console.error(pc.red(`\nfaultline: ${error instanceof Error ? error.message : String(error)}`));
    if (process.env.DEBUG) console.error(error);
  }
  process.exitCode = 1;
}
