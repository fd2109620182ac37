import type { Command } from 'commander';
import { PORT_TABLE, portEnvVar, portsMarkdown } from '../ports.js';
import { proxyConfig } from '../topology/proxies.js';
import { table } from '../ui/table.js';
import { config } from './shared.js';

/** `edges` and `ports`: what the topology puts where. */
export function registerTopologyCommands(program: Command): void {
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
}
