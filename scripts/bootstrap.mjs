#!/usr/bin/env node
// Entry point of `npm start` and `npm test` on a fresh clone. Uses only Node built-ins until
// the npm dependencies are installed, then hands over to the faultline CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [mode = 'start', ...rest] = process.argv.slice(2);
const say = (text) => console.log(`\x1b[1mfaultline:\x1b[0m ${text}`);

function fail(message, fix) {
  console.error(`\x1b[31mfaultline: ${message}\x1b[0m${fix ? `\n  fix:  ${fix}` : ''}`);
  process.exit(1);
}

function step(title, command, args, options = {}) {
  say(title);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
  return Date.now() - started;
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old`, 'install Node 20.19 or newer');

// Dependencies: install when missing or when the lock file changed since the last install.
const lock = path.join(root, 'package-lock.json');
const marker = path.join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  step('installing npm dependencies (first run; npm ci)', 'npm', ['ci', '--no-audit', '--no-fund']);
}

const cli = (args) => [path.join(root, 'packages/cli/bin/faultline.mjs'), ...args];
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

if (mode === 'start') {
  step('starting the lab', process.execPath, cli(['up', ...rest]));
} else if (mode === 'test') {
  const started = Date.now();
  step('toolchain (installs what is missing)', process.execPath, cli(['setup']));
  step('lint and format check (biome)', bin('biome'), ['check', '.']);
  step('type check (tsc -b)', bin('tsc'), ['-b']);
  const specs = rest.length
    ? rest
    : ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'chaos/test/**/*.test.ts', 'dashboards/test/**/*.test.ts', 'test/**/*.test.ts'];
  step('tests against the real components (mocha, coverage by c8)', bin('c8'), ['mocha', ...specs]);
  say(`all checks passed in ${Math.round((Date.now() - started) / 1000)}s`);
} else {
  fail(`unknown mode "${mode}"`, 'use "npm start" or "npm test"');
}
