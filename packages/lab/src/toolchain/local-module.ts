import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.js';
import { runOk } from '../proc.js';
import type { LocalToolPin } from './pins.js';

/** Folder of a local tool's module. */
export const moduleDir = (pin: LocalToolPin, root: string) => path.join(root, pin.dir);

/**
 * The version of a tool built from this repository: a hash of its pins and of every file `go build`
 * reads (go.mod, go.sum, *.go), so that changing any of them rebuilds it.
 */
export async function sourceVersion(pin: LocalToolPin, root: string): Promise<string> {
  const dir = moduleDir(pin, root);
  const files = (await readdir(dir, { recursive: true })).filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go')).sort();
  const hash = createHash('sha256').update(JSON.stringify(pin.requires));
  for (const file of files) hash.update(`\0${file}\0`).update(await readFile(path.join(dir, file)));
  return `src-${hash.digest('hex').slice(0, 12)}`;
}

/** Fail with what to run when the module's go.mod does not require exactly the pinned versions. */
export async function checkRequires(pin: LocalToolPin, root: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = moduleDir(pin, root);
  const { stdout } = await runOk('go', ['mod', 'edit', '-json'], { cwd: dir, env, what: `go mod edit -json (${pin.dir})` });
  const goMod = JSON.parse(stdout) as { Module: { Path: string }; Require?: { Path: string; Version: string; Indirect?: boolean }[] };
  const direct = new Map((goMod.Require ?? []).filter((r) => !r.Indirect).map((r) => [r.Path, r.Version]));
  const differences = [
    ...(goMod.Module.Path === pin.module ? [] : [`module ${goMod.Module.Path}, pinned as ${pin.module}`]),
    ...Object.entries(pin.requires)
      .filter(([module, version]) => direct.get(module) !== version)
      .map(([module, version]) => `${module} ${direct.get(module) ?? '(not required)'}, pinned ${version}`),
    ...[...direct.keys()].filter((module) => !(module in pin.requires)).map((module) => `${module} ${direct.get(module)}, not pinned`),
  ];
  if (differences.length) {
    throw new LabError(`${pin.dir}/go.mod differs from the pins of ${pin.name}: ${differences.join('; ')}`, {
      hint: `make them agree: edit packages/lab/src/toolchain/pins.ts, or run "go get <module>@<version> && go mod tidy" in ${pin.dir}`,
    });
  }
}
