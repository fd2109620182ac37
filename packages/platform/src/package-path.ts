import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * A folder of the package that holds the calling module, as a URL ending in `/`. The same source
 * runs from `src/` (through tsx) and compiled from `dist/src/`, so a path relative to the module
 * (`../migrations/`) would differ between the two; the package root does not.
 *
 *     migrations: packageFolder(import.meta.url, 'migrations')
 */
export function packageFolder(moduleUrl: string, folder: string): URL {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = parent;
  }
  return pathToFileURL(`${path.join(dir, folder)}/`);
}
