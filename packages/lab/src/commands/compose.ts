import type { Command } from 'commander';
import { registerComposeCommands as registerComposeStackCommands } from '../compose/commands.js';
import { staleComposeFiles, writeComposeFiles } from '../compose/files.js';
import { LabError } from '../errors.js';
import { config } from './shared.js';

/** `compose generate [--check]`. */
export function registerComposeCommands(program: Command): void {
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
  registerComposeStackCommands(compose, config);
}
