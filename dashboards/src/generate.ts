/**
 * Writes `dashboards/grafana/<uid>.json` from the definitions in `boards.ts`.
 * `--check` writes nothing and exits 1 when a committed file differs from what would be generated
 * (compared as JSON, so a formatter may re-indent the files).
 *
 *   node --import tsx dashboards/src/generate.ts [--check]
 */

import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { formatJson } from '@faultline/lab';
import { DASHBOARDS } from './boards.js';
import { dashboardJson } from './grafana.js';
import { GRAFANA_DIR } from './paths.js';

export interface Staleness {
  readonly stale: string[];
  readonly extra: string[];
}

/** Every generated file name with its JSON model. */
export function generatedDashboards(): Map<string, Record<string, unknown>> {
  return new Map(DASHBOARDS.map((d) => [`${d.uid}.json`, dashboardJson(d)]));
}

/** Files that differ from the definitions, and JSON files the definitions do not produce. */
export async function checkDashboards(dir = GRAFANA_DIR): Promise<Staleness> {
  const wanted = generatedDashboards();
  const present = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  const stale: string[] = [];
  for (const [file, model] of wanted) {
    const text = await readFile(path.join(dir, file), 'utf8').catch(() => undefined);
    if (text === undefined || !isDeepStrictEqual(JSON.parse(text), model)) stale.push(file);
  }
  return { stale, extra: present.filter((f) => !wanted.has(f)) };
}

export async function writeDashboards(dir = GRAFANA_DIR): Promise<string[]> {
  const files: string[] = [];
  for (const [file, model] of generatedDashboards()) {
    await writeFile(path.join(dir, file), formatJson(model));
    files.push(file);
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--check')) {
    const { stale, extra } = await checkDashboards();
    for (const f of stale) console.error(`stale: dashboards/grafana/${f} (run node --import tsx dashboards/src/generate.ts)`);
    for (const f of extra) console.error(`not generated: dashboards/grafana/${f}`);
    process.exitCode = stale.length || extra.length ? 1 : 0;
  } else {
    for (const f of await writeDashboards()) console.log(`wrote dashboards/grafana/${f}`);
  }
}
