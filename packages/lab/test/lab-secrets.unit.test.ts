import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.js';
import { adminCredentials, serviceCredentials } from '../src/topology/admin.js';

const run = promisify(execFile);
const adminModule = new URL('../src/topology/admin.ts', import.meta.url).href;
const configModule = new URL('../src/config.ts', import.meta.url).href;

/** What one separate process (a CLI command, `npm start`) reads or makes in `stateDir`. */
async function fromAnotherProcess(stateDir: string): Promise<unknown> {
  const script = `
    const { serviceCredentials, adminCredentials } = await import(${JSON.stringify(adminModule)});
    const { loadConfig } = await import(${JSON.stringify(configModule)});
    const cfg = { ...loadConfig({}), stateDir: ${JSON.stringify(stateDir)} };
    const [clients, admin] = await Promise.all([serviceCredentials(cfg), adminCredentials(cfg)]);
    console.log(JSON.stringify({ clients, admin }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  return JSON.parse(stdout);
}

describe("the lab's service client credentials", () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'faultline-secrets-'));
  });
  afterEach(() => rm(stateDir, { recursive: true, force: true }));

  it('are one set on a fresh lab even when every service asks at once (as they start in parallel)', async () => {
    const cfg = { ...loadConfig({}), stateDir };
    const sets = await Promise.all(Array.from({ length: 6 }, () => serviceCredentials(cfg)));
    for (const set of sets) assert.deepEqual(set, sets[0]);
    assert.deepEqual(JSON.parse(await readFile(path.join(stateDir, 'service-clients.json'), 'utf8')), sets[0], 'the file holds the set they got');
    assert.deepEqual(await serviceCredentials(cfg), sets[0], 'and it is kept');
  });

  it('are one set when separate processes make them at once, written whole (never a torn file, no leftovers)', async function () {
    this.timeout(60_000); // four Node processes loading TypeScript
    const seen = await Promise.all(Array.from({ length: 4 }, () => fromAnotherProcess(stateDir)));
    for (const one of seen) assert.deepEqual(one, seen[0]);
    const cfg = { ...loadConfig({}), stateDir };
    assert.deepEqual({ clients: await serviceCredentials(cfg), admin: await adminCredentials(cfg) }, seen[0]);
    assert.deepEqual((await readdir(stateDir)).sort(), ['admin.json', 'service-clients.json']);
  });

  it('adds a client missing from an existing set and keeps the secrets already given out', async () => {
    const cfg = { ...loadConfig({}), stateDir };
    await writeFile(path.join(stateDir, 'service-clients.json'), JSON.stringify({ order: 'kept-secret' }));
    const set = await serviceCredentials(cfg);
    assert.equal(set.order, 'kept-secret');
    assert.ok(Object.values(set).every((secret) => secret.length > 0));
    assert.deepEqual(JSON.parse(await readFile(path.join(stateDir, 'service-clients.json'), 'utf8')), set);
  });
});
