import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../config.js';
import { loadConfig } from '../config.js';
import { composeFiles } from './generate.js';

/** Compose files are generated with the default ports, so the committed files never depend on a local override. */
const defaults = (cfg: LabConfig): LabConfig => ({ ...loadConfig({}), root: cfg.root });

/** Write the generated compose files into `compose/`. Returns their paths. */
export async function writeComposeFiles(cfg: LabConfig): Promise<string[]> {
  const dir = path.join(cfg.root, 'compose');
  const written: string[] = [];
  for (const [name, content] of Object.entries(composeFiles(defaults(cfg)))) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
    written.push(path.join('compose', name));
  }
  return written;
}

/** Generated files whose committed content differs from what the topology generates now. */
export async function staleComposeFiles(cfg: LabConfig): Promise<string[]> {
  const stale: string[] = [];
  for (const [name, content] of Object.entries(composeFiles(defaults(cfg)))) {
    const current = await readFile(path.join(cfg.root, 'compose', name), 'utf8').catch(() => undefined);
    if (current !== content) stale.push(path.join('compose', name));
  }
  return stale;
}
