import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { serviceCredentials } from '../src/topology/admin.js';

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
});
