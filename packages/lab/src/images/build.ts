import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { elapsed, run, runOk } from '../proc.js';
import { binPath } from '../toolchain/go-tools.js';
import { docker, type Engine } from './engine.js';
import { IMAGE_SPECS, type ImageSpec, imageTag } from './specs.js';

export interface ImageResult {
  name: string;
  tag: string;
  outcome: 'built' | 'cached';
  seconds: number;
  sizeMb: number;
}

const HASH_LABEL = 'faultline.hash';

/** What no image's cache key looks at: installed packages and the lab's state. */
const ALWAYS_SKIPPED = new Set(['node_modules', '.faultline']);

/**
 * Hash a file or folder by content and names. A file of the clone is named relative to its root,
 * so that another clone or worktree with the same content has the same key; one outside it (the
 * machine's apt settings) by its absolute path. `keep` filters by the path relative to `tree`.
 */
async function hashTree(hash: ReturnType<typeof createHash>, cfg: LabConfig, tree: string, keep: (relative: string) => boolean, relative = ''): Promise<void> {
  const target = path.join(tree, relative);
  const inClone = path.relative(cfg.root, target);
  const name = inClone.startsWith('..') || path.isAbsolute(inClone) ? target : inClone;
  const info = await stat(target).catch(() => undefined);
  if (!info) {
    hash.update(`missing ${name}\n`);
    return;
  }
  if (info.isDirectory()) {
    for (const entry of (await readdir(target)).sort()) {
      const child = relative ? `${relative}/${entry}` : entry;
      if (!ALWAYS_SKIPPED.has(entry) && keep(child)) await hashTree(hash, cfg, tree, keep, child);
    }
    return;
  }
  hash.update(`${name}\n`);
  hash.update(await readFile(target));
}

/** The cache key of an image: its Dockerfile, its inputs' content and its parent's key. */
export async function imageHash(cfg: LabConfig, spec: ImageSpec, parentHash: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`${spec.name}\n${parentHash}\n${spec.dockerfile?.(cfg) ?? 'import'}\n`);
  for (const input of await spec.inputs(cfg)) {
    if ('text' in input) hash.update(input.text);
    else if ('file' in input) hash.update(await readFile(input.file).catch(() => Buffer.from(`missing ${input.file}`)));
    else await hashTree(hash, cfg, input.tree, input.keep ?? (() => true));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

async function labelOf(engine: Engine, tag: string): Promise<string | undefined> {
  const answer = await run('docker', ['image', 'inspect', '--format', `{{index .Config.Labels "${HASH_LABEL}"}}`, tag], { env: engine.env });
  return answer.code === 0 ? answer.stdout.trim() : undefined;
}

async function sizeMb(engine: Engine, tag: string): Promise<number> {
  const answer = await run('docker', ['image', 'inspect', '--format', '{{.Size}}', tag], { env: engine.env });
  return Math.round(Number(answer.stdout.trim()) / 1e6);
}

/** Go tools the images carry must be built first (`faultline setup`). */
async function checkTools(cfg: LabConfig, specs: readonly ImageSpec[]): Promise<void> {
  const missing: string[] = [];
  const needed = ['toxiproxy-server', 'jaeger', 'k6'].filter((t) => specs.some((s) => t.startsWith(s.name)));
  for (const name of needed) if (!(await stat(binPath(cfg.toolsDir, name)).catch(() => undefined))) missing.push(name);
  if (missing.length)
    throw new LabError(`the images need ${missing.join(', ')} in ${path.join(cfg.toolsDir, 'bin')}`, { hint: 'run "npm run faultline -- setup" first' });
  if (specs.some((s) => s.name === 'service-deps') && !(await stat(path.join(cfg.root, 'node_modules')).catch(() => undefined)))
    throw new LabError('the service image copies node_modules, which is missing', { hint: 'run "npm ci" first' });
}

export interface BuildOptions {
  /** Only these images (and what they need). */
  only?: readonly string[];
  /** Rebuild even when the cache key matches. */
  force?: boolean;
  onProgress?: (line: string) => void;
}

/** The images needed by `only`, parents first, in the order of {@link IMAGE_SPECS}. */
function selection(only: readonly string[] | undefined): ImageSpec[] {
  if (!only?.length) return [...IMAGE_SPECS];
  const unknown = only.filter((n) => !IMAGE_SPECS.some((s) => s.name === n));
  if (unknown.length) throw new LabError(`unknown image: ${unknown.join(', ')}`, { hint: `choose from ${IMAGE_SPECS.map((s) => s.name).join(', ')}` });
  const wanted = new Set<string>();
  const add = (name: string) => {
    wanted.add(name);
    const parent = IMAGE_SPECS.find((s) => s.name === name)?.parent;
    if (parent) add(parent);
  };
  for (const name of only) add(name);
  return IMAGE_SPECS.filter((s) => wanted.has(s.name));
}

/**
 * Build every image of the offline stack that is missing or whose inputs changed, parents first.
 * Each image carries its cache key as a label; an image whose key matches is left alone.
 */
export async function buildImages(cfg: LabConfig, engine: Engine, options: BuildOptions = {}): Promise<ImageResult[]> {
  const log = options.onProgress ?? (() => {});
  const specs = selection(options.only);
  await checkTools(cfg, specs);
  const hashes = new Map<string, string>();
  const results: ImageResult[] = [];
  for (const [index, spec] of specs.entries()) {
    const tag = imageTag(cfg, spec);
    const started = Date.now();
    await spec.beforeKey?.(cfg);
    const hash = await imageHash(cfg, spec, spec.parent ? (hashes.get(spec.parent) ?? '') : '');
    hashes.set(spec.name, hash);
    const counter = `[${index + 1}/${specs.length}]`;
    if (!options.force && (await labelOf(engine, tag)) === hash) {
      results.push({ name: spec.name, tag, outcome: 'cached', seconds: (Date.now() - started) / 1000, sizeMb: await sizeMb(engine, tag) });
      log(`${counter} ${tag}: cached`);
      continue;
    }
    log(`${counter} ${tag}: building — ${spec.what}`);
    const context = path.join(cfg.stateDir, 'images', spec.name);
    if (!spec.keepContext) await rm(context, { recursive: true, force: true });
    await mkdir(context, { recursive: true });
    const step = (line: string) => log(`${counter} ${spec.name} › ${line.slice(0, 160)}`);
    await spec.prepare(cfg, context, step);
    if (!spec.dockerfile) {
      const root = path.join(context, 'rootfs');
      await runOk('sh', ['-c', `tar -C "${root}" -c . | docker import --change "LABEL ${HASH_LABEL}=${hash}" - "${tag}"`], {
        env: engine.env,
        what: `docker import ${tag}`,
      });
    } else {
      const parent = specs.find((s) => s.name === spec.parent) ?? IMAGE_SPECS.find((s) => s.name === spec.parent);
      if (!parent) throw new Error(`${spec.name} has no parent image`);
      await writeFile(path.join(context, 'Dockerfile'), `FROM ${imageTag(cfg, parent)}\nLABEL ${HASH_LABEL}=${hash}\n${spec.dockerfile(cfg)}`);
      // Host network: `apt-get install` inside the build reaches the machine's Debian mirror.
      await docker(engine, ['build', '--network', 'host', '--force-rm', '-t', tag, context], {
        env: { DOCKER_BUILDKIT: '0' },
        onLine: (line) => {
          if (/^Step \d+\/\d+|^(Setting up|Get:\d+|Unpacking) /.test(line)) step(line);
        },
        what: `docker build ${tag}`,
        hint: `the build folder is ${context}; run "docker build --network host ${context}" to see the whole output`,
      });
    }
    if (!spec.keepContext) await rm(context, { recursive: true, force: true });
    const seconds = (Date.now() - started) / 1000;
    results.push({ name: spec.name, tag, outcome: 'built', seconds, sizeMb: await sizeMb(engine, tag) });
    log(`${counter} ${tag}: built in ${elapsed(started)}`);
  }
  return results;
}

/** Tags of the images the offline stack runs, by name. */
export const offlineImages = (cfg: LabConfig): Record<string, string> => Object.fromEntries(IMAGE_SPECS.map((s) => [s.name, imageTag(cfg, s)]));

/** Images the stack needs that the engine does not have. */
export async function missingImages(cfg: LabConfig, engine: Engine): Promise<string[]> {
  const missing: string[] = [];
  for (const spec of IMAGE_SPECS) if ((await labelOf(engine, imageTag(cfg, spec))) === undefined) missing.push(imageTag(cfg, spec));
  return missing;
}
