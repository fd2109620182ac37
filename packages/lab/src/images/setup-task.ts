import type { LabConfig } from '../config.js';
import { elapsed } from '../proc.js';
import { buildImages } from './build.js';
import { engineUnavailable, ensureEngine } from './engine.js';

/**
 * The Docker images as a step of `faultline setup`: where a Docker engine answers or can be
 * started, the offline stack's images are built (only what changed); otherwise the step says why
 * it was skipped and the native lab is unaffected.
 */
export function imagesSetupTask(cfg: LabConfig, summary: { builtTools: string[]; upToDate: string[] }) {
  return {
    title: 'Docker images',
    task: async (_ctx: unknown, task: { title: string; output: string }) => {
      const why = await engineUnavailable(cfg);
      if (why) {
        task.title = `Docker images: skipped (${why}); the native lab does not need them`;
        return;
      }
      const started = Date.now();
      const engine = await ensureEngine(cfg, (line) => {
        task.output = line;
      });
      const results = await buildImages(cfg, engine, {
        onProgress: (line) => {
          task.output = line;
        },
      });
      const built = results.filter((r) => r.outcome === 'built').map((r) => r.tag);
      if (built.length) summary.builtTools.push(...built);
      else summary.upToDate.push('docker images');
      task.title = `Docker images: ${built.length ? `built ${built.length} in ${elapsed(started)}` : `${results.length} up to date`}`;
    },
    rendererOptions: { bottomBar: 1 },
  };
}
