import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { parse } from 'yaml';
import { OFFLINE_FILE } from '../src/compose/offline.js';
import { loadConfig } from '../src/config.js';
import { run } from '../src/proc.js';
import { runOptionsCompose } from '../src/target/compose.js';

const root = loadConfig({}).root;

describe('the compose target of the chaos runner', () => {
  /** The offline file with `runOptions` over it, as docker-compose merges them. */
  async function merged(runOptions: string): Promise<Record<string, { environment: Record<string, string> }>> {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-run-options-'));
    try {
      const file = path.join(dir, 'run-options.yml');
      await writeFile(file, runOptions);
      const config = await run('docker-compose', ['-f', path.join(root, 'compose', OFFLINE_FILE), '-f', file, 'config']);
      assert.equal(config.code, 0, config.stderr);
      return (parse(config.stdout) as { services: Record<string, { environment: Record<string, string> }> }).services;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('gives a knock-out to the one service it names, over the offline file, leaving the others as they are (docker-compose config)', async () => {
    const services = await merged(runOptionsCompose(['payment'], { FAULTLINE_KNOCKOUT: 'breaker:providers' }));
    assert.equal(services.payment?.environment.FAULTLINE_KNOCKOUT, 'breaker:providers');
    assert.equal(services.payment?.environment.PROVIDERS_URL, 'http://toxiproxy:17210', 'the offline environment is kept');
    for (const other of ['user', 'product', 'order', 'notification', 'providers'])
      assert.equal(services[other]?.environment.FAULTLINE_KNOCKOUT, undefined, `${other} got the knock-out`);
  });

  it('switches the policies off as the word "off" (not YAML 1.1\'s false)', async () => {
    const services = await merged(runOptionsCompose(['order', 'payment'], { RESILIENCE_MODE: 'off' }));
    assert.equal(services.order?.environment.RESILIENCE_MODE, 'off');
    assert.equal(services.payment?.environment.RESILIENCE_MODE, 'off');
  });

  it('chaos run --compose with no engine and no stack says to start the stack', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'faultline-no-engine-'));
    try {
      const answer = await run(process.execPath, [path.join(root, 'packages/cli/bin/faultline.mjs'), 'chaos', 'run', 'payment-provider-outage', '--compose'], {
        env: { ...process.env, FAULTLINE_STATE_DIR: stateDir, DOCKER_HOST: `unix://${path.join(stateDir, 'none.sock')}` },
        timeoutMs: 60_000,
      });
      const text = stripVTControlCharacters(`${answer.stdout}${answer.stderr}`);
      assert.equal(answer.code, 1, text);
      assert.match(text, /--compose: no Docker engine answers/);
      assert.match(text, /fix: +start it with "npm start -- --compose"/);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
