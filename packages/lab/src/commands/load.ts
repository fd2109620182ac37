import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import pc from 'picocolors';
import { userPath } from '../config.js';
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
      const summary = options.summary ? userPath(cfg, options.summary) : undefined;
      const report = options.report ? userPath(cfg, options.report) : undefined;
      const skipped: string[] = [];
      const result = await runLoad(cfg, {
        profile: profileName as LoadProfile,
        ...(options.scale ? { durationScale: options.scale } : {}),
        ...(summary ? { summaryJson: summary } : {}),
        ...(report ? { htmlReport: report } : {}),
        onLine: (line) => {
          if (/report generation was skipped/i.test(line)) skipped.push(line.replace(/^.*msg="?([^"]*)"?.*$/, '$1'));
          console.log(line);
        },
      });
      for (const [what, file] of [
        ['summary', summary],
        ['report', report],
      ] as const) {
        if (!file) continue;
        const written = await stat(file).then(
          (s) => s.size > 0,
          () => false,
        );
        console.log(
          written
            ? `${what}: ${file}`
            : pc.yellow(`no ${what} was written to ${file}: ${skipped[0] ?? `k6 did not write it (exit ${result.code}); read its output above`}`),
        );
      }
      if (result.code === 99)
        throw new LabError('a threshold of the load test failed (k6 exit 99)', { hint: 'read the summary above: which threshold, by how much' });
      if (result.code !== 0) throw new LabError(`k6 exited ${result.code}`);
    });
}
