import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LabConfig } from '../config.js';
import { SERVICE_NAMES, type ServiceName } from './topology.js';

/** How a service process is launched: its entry file and the Node arguments before it. */
export interface ServiceLaunch {
  readonly args: string[];
  /** A piece of the command line that identifies the process (guards against pid reuse). */
  readonly match: string;
  readonly compiled: boolean;
}

/**
 * Node flags of every compiled service: a young generation of 8 MB semi-spaces instead of 16 (the
 * services' short-lived garbage, requests and rows, fits). No `--enable-source-maps`: it kept the
 * parsed map of every module that has one, ~17 MB per service; the telemetry preload maps the
 * frames of our own compiled files to their TypeScript lines when a stack trace is made.
 */
const NODE_FLAGS = ['--max-semi-space-size=8'] as const;
/** Node's flags for a compiled service (natively and in the service image): the packages' `compiled` exports, the telemetry preload. */
export const COMPILED_NODE_FLAGS = [...NODE_FLAGS, '--conditions=compiled', '--import', '@faultline/platform/telemetry'] as const;
/** A compiled service's entry file, relative to its folder. */
export const COMPILED_ENTRY = path.join('dist', 'src', 'main.js');

let compiling: Promise<string | undefined> | undefined;

/**
 * Compile the services (and the packages they use) with `tsc -b`, once per lab command: it is
 * incremental, so a tree that did not change costs a second or two. Resolves to why it failed.
 */
export function compileServices(cfg: LabConfig): Promise<string | undefined> {
  compiling ??= new Promise((resolve) => {
    const tsc = createRequire(path.join(cfg.root, 'package.json')).resolve('typescript/bin/tsc');
    const projects = SERVICE_NAMES.map((name) => path.join(cfg.root, 'services', name));
    const child = spawn(process.execPath, [tsc, '-b', ...projects], { cwd: cfg.root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code) => resolve(code === 0 ? undefined : output.trim().split('\n').slice(0, 5).join('\n') || `tsc exited ${code}`));
  });
  return compiling;
}

/**
 * Compiled JavaScript by default (`dist/`, with source maps): no TypeScript loader in the process,
 * about half the memory and a faster start. Through tsx when asked (`FAULTLINE_SERVICE_RUNTIME=tsx`)
 * or when the sources do not compile — then the service still runs, and the reason is printed.
 * `FAULTLINE_SERVICE_NODE_FLAGS` adds Node flags (a CPU profile: `--cpu-prof --cpu-prof-dir=<dir>`).
 */
export async function serviceLaunch(cfg: LabConfig, name: ServiceName): Promise<ServiceLaunch> {
  const dir = path.join('services', name);
  if (cfg.serviceRuntime === 'compiled') {
    const failure = await compileServices(cfg);
    if (!failure) {
      const entry = path.join(dir, COMPILED_ENTRY);
      return {
        args: [...COMPILED_NODE_FLAGS, ...cfg.serviceNodeFlags, path.join(cfg.root, entry)],
        match: entry,
        compiled: true,
      };
    }
    warnOnce(`services run through tsx: they do not compile (${failure.split('\n')[0]})`);
  }
  const entry = path.join(dir, 'src', 'main.ts');
  return {
    args: [
      ...NODE_FLAGS,
      ...cfg.serviceNodeFlags,
      '--enable-source-maps',
      '--import',
      'tsx',
      '--import',
      '@faultline/platform/telemetry',
      path.join(cfg.root, entry),
    ],
    match: entry,
    compiled: false,
  };
}

let warned = false;
function warnOnce(message: string): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`\x1b[33mfaultline: ${message}\x1b[0m\n`);
}
