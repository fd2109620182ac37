import { chmod, cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { elapsed, run, runOk } from '../proc.js';
import { checkRequires, moduleDir, sourceVersion } from './local-module.js';
import { type GoToolPin, MIN_GO } from './pins.js';

/** Where tools are built from (the repository, for `local` pins) and installed to. */
export type ToolDirs = Pick<LabConfig, 'root' | 'toolsDir'>;

/** What was built, written next to the binaries after a successful build. */
export interface ToolStamp {
  module: string;
  version: string;
  go: string;
  builtAt: string;
}

export interface ToolState {
  pin: GoToolPin;
  /** The version the pin asks for: its version, or for a `local` pin the hash of its source. */
  pinned: string;
  /** The stamp of the installed build, or undefined when nothing (complete) is installed. */
  installed: ToolStamp | undefined;
  upToDate: boolean;
}

const stampFile = (toolsDir: string, name: string) => path.join(toolsDir, 'stamps', `${name}.json`);

/** Path of a tool binary, e.g. `binPath(cfg.toolsDir, 'k6')`. */
export const binPath = (toolsDir: string, binary: string) => path.join(toolsDir, 'bin', binary);

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** The version a pin asks for; for a `local` pin, the hash of its source and pins (see {@link sourceVersion}). */
export function pinnedVersion(pin: GoToolPin, root: string): Promise<string> {
  return pin.method === 'local' ? sourceVersion(pin, root) : Promise.resolve(pin.version);
}

/** Installed state of one pinned tool: stamp present, matching the pin, and every binary there. */
export async function toolState(pin: GoToolPin, { root, toolsDir }: ToolDirs): Promise<ToolState> {
  const pinned = await pinnedVersion(pin, root);
  let installed: ToolStamp | undefined;
  try {
    installed = JSON.parse(await readFile(stampFile(toolsDir, pin.name), 'utf8')) as ToolStamp;
  } catch {
    installed = undefined;
  }
  const binaries = await Promise.all(Object.values(pin.binaries).map((b) => exists(binPath(toolsDir, b))));
  const complete = binaries.every(Boolean);
  if (!complete) installed = undefined;
  const upToDate = installed?.module === pin.module && installed.version === pinned;
  return { pin, pinned, installed, upToDate };
}

/** The Go toolchain's version (`1.26.8`), or a {@link LabError} saying what to install. */
export async function goVersion(): Promise<string> {
  const result = await run('go', ['env', 'GOVERSION']).catch(() => undefined);
  const version = result?.code === 0 ? result.stdout.trim().replace(/^go/, '') : undefined;
  if (!version) {
    throw new LabError('the Go toolchain is not installed (needed to build Toxiproxy, k6, Jaeger and faultline-dashlint)', {
      hint: `install Go ${MIN_GO} or newer and put "go" on PATH`,
    });
  }
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [minMajor = 0, minMinor = 0] = MIN_GO.split('.').map(Number);
  if (major < minMajor || (major === minMajor && minor < minMinor)) {
    throw new LabError(`Go ${version} is too old to build the pinned tools`, { hint: `install Go ${MIN_GO} or newer` });
  }
  return version;
}

/**
 * Build one pinned tool into `<toolsDir>/bin`, reporting progress through `onProgress`.
 * The stamp is written last, so an interrupted build is rebuilt next time.
 */
export async function buildTool(pin: GoToolPin, { root, toolsDir }: ToolDirs, onProgress: (line: string) => void): Promise<ToolStamp> {
  const go = await goVersion();
  const version = await pinnedVersion(pin, root);
  const bin = path.join(toolsDir, 'bin');
  await mkdir(bin, { recursive: true });
  await mkdir(path.join(toolsDir, 'build'), { recursive: true });
  // A build folder of its own: two set-ups sharing a tools folder (two checkouts, a test run beside
  // `npm start`) may build the same tool at once; each renames its binary into place atomically.
  const work = await mkdtemp(path.join(toolsDir, 'build', `${pin.name}-`));
  // GOTOOLCHAIN=local: build with the installed Go rather than fetching another toolchain.
  const env = { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' };
  const proxyHint = 'check that the Go module proxy is reachable (go env GOPROXY)';
  const started = Date.now();
  const ticker = setInterval(() => onProgress(`building ${pin.module}@${version} … ${elapsed(started)}`), 10_000);
  try {
    if (pin.method === 'install') {
      for (const [pkg, binary] of Object.entries(pin.binaries)) {
        onProgress(`go install ${pin.module}/${pkg}@${version}`);
        await runOk('go', ['install', '-trimpath', `${pin.module}/${pkg}@${version}`], {
          env: { ...env, GOBIN: work },
          what: `go install ${pin.module}/${pkg}@${version}`,
          hint: proxyHint,
        });
        await rename(path.join(work, path.basename(pkg)), binPath(toolsDir, binary));
      }
    } else {
      let source: string;
      if (pin.method === 'local') {
        await checkRequires(pin, root, env);
        source = moduleDir(pin, root);
      } else {
        onProgress(`go mod download ${pin.module}@${version}`);
        const download = await runOk('go', ['mod', 'download', '-json', `${pin.module}@${version}`], {
          env,
          what: `go mod download ${pin.module}@${version}`,
          hint: proxyHint,
        });
        source = path.join(work, 'src');
        await cp((JSON.parse(download.stdout) as { Dir: string }).Dir, source, { recursive: true });
        await run('chmod', ['-R', 'u+w', source]);
      }
      for (const [pkg, binary] of Object.entries(pin.binaries)) {
        onProgress(`go build ./${pkg} (${pin.method === 'local' ? pin.dir : 'from the module copy'})`);
        const out = path.join(work, binary);
        // -mod=readonly: a local module builds from its committed go.mod and go.sum, never edits them.
        const mod = pin.method === 'local' ? ['-mod=readonly'] : [];
        await runOk('go', ['build', '-trimpath', ...mod, '-o', out, `./${pkg}`], {
          cwd: source,
          env,
          what: `go build ${pin.module}/${pkg}`,
          hint: proxyHint,
        });
        await rename(out, binPath(toolsDir, binary));
      }
    }
    for (const binary of Object.values(pin.binaries)) await chmod(binPath(toolsDir, binary), 0o755);
  } finally {
    clearInterval(ticker);
    await rm(work, { recursive: true, force: true });
  }
  const stamp: ToolStamp = { module: pin.module, version, go, builtAt: new Date().toISOString() };
  await mkdir(path.dirname(stampFile(toolsDir, pin.name)), { recursive: true });
  await writeFile(stampFile(toolsDir, pin.name), `${JSON.stringify(stamp, null, 2)}\n`);
  onProgress(`built ${Object.values(pin.binaries).join(', ')} in ${elapsed(started)}`);
  return stamp;
}
