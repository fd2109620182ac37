import type { Command } from 'commander';
import pc from 'picocolors';
import type { LabConfig } from '../config.js';
import { elapsed } from '../proc.js';
import { table } from '../ui/table.js';
import { buildImages } from './build.js';
import { ensureEngine } from './engine.js';
import { IMAGE_SPECS } from './specs.js';

/** `faultline images build`: every image of the offline compose stack, from what this machine reaches. */
export function registerImageCommands(program: Command, config: () => LabConfig): void {
  const images = program.command('images').description('the images of the offline compose stack, built here (no container registry needed)');
  images
    .command('build')
    .description(`build what is missing or changed: ${IMAGE_SPECS.map((s) => s.name).join(', ')} (tagged faultline/<name>:<version>)`)
    .option('--only <names>', 'comma-separated images (their parents are built too)', (v: string) => v.split(',').map((s) => s.trim()))
    .option('--force', 'rebuild even what the cache says is current')
    .action(async (options: { only?: string[]; force?: boolean }) => {
      const cfg = config();
      const started = Date.now();
      const engine = await ensureEngine(cfg, (line) => console.log(`› ${line}`));
      console.log(`› Docker engine ${engine.version} (${engine.kind === 'lab' ? "the lab's own dockerd" : 'already running'})`);
      const results = await buildImages(cfg, engine, {
        ...(options.only ? { only: options.only } : {}),
        force: !!options.force,
        onProgress: (l) => console.log(`› ${l}`),
      });
      console.log(
        table(
          ['image', '', 'time', 'size'],
          results.map((r) => [r.tag, r.outcome === 'built' ? pc.green('built') : pc.dim('cached'), `${r.seconds.toFixed(1)}s`, `${r.sizeMb} MB`]),
        ),
      );
      const built = results.filter((r) => r.outcome === 'built').length;
      console.log(`images ready in ${elapsed(started)}: ${built} built, ${results.length - built} cached`);
    });
}
