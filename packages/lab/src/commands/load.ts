import path from 'node:path';
import type { Command } from 'commander';
import { LabError } from '../errors.js';
import { LOAD_PROFILES, type LoadProfile, runLoad } from '../topology/load.js';
import { config } from './shared.js';

/** `load <profile>`: the k6 suite through the gateway. */
export function registerLoadCommand(program: Command): void {
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
}
