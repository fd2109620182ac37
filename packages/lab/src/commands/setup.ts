import type { Command } from 'commander';
import pc from 'picocolors';
import { LabError } from '../errors.js';
import { elapsed } from '../proc.js';
import { checkToolchain } from '../toolchain/check.js';
import { setup } from '../toolchain/setup.js';
import { health, table } from '../ui/table.js';
import { config } from './shared.js';

/** `setup [--check]`: install what is missing, or compare pinned and installed versions. */
export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .description('install what is missing: Debian packages, the pinned Go tools (.tools/bin) and Python tools (.tools/<name>)')
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
      const did = [
        ...summary.installedPackages.map((p) => `installed ${p}`),
        ...summary.builtTools.map((t) => `built ${t}`),
        ...summary.installedPythonTools.map((t) => `installed ${t}`),
      ];
      console.log(`setup done in ${elapsed(started)}: ${did.length ? did.join(', ') : 'everything was already in place'}`);
    });
}
