import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { parse } from 'yaml';
import { OFFLINE_FILE } from '../src/compose/offline.js';
import { loadConfig } from '../src/config.js';
import { run } from '../src/proc.js';
import { runEnvironments, runOptionsCompose } from '../src/target/compose.js';
import { parseRef } from '../src/topology/mechanisms.js';
import { SERVICE_NAMES } from '../src/topology/topology.js';

const cfg = loadConfig({});
const root = cfg.root;

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
    const services = await merged(runOptionsCompose(runEnvironments(cfg, { resilience: 'on', knockout: parseRef('breaker payment→providers') })));
    assert.equal(services.payment?.environment.FAULTLINE_KNOCKOUT, 'breaker:providers');
    assert.equal(services.payment?.environment.PROVIDERS_URL, 'http://toxiproxy:17210', 'the offline environment is kept');
    for (const other of ['user', 'product', 'order', 'notification', 'providers'])
      assert.equal(services[other]?.environment.FAULTLINE_KNOCKOUT, undefined, `${other} got the knock-out`);
  });

  it('switches the policies off as the word "off" (not YAML 1.1\'s false), on every service', async () => {
    const environments = runEnvironments(cfg, { resilience: 'off' });
    assert.deepEqual(Object.keys(environments).sort(), [...SERVICE_NAMES].sort());
    const services = await merged(runOptionsCompose(environments));
    assert.equal(services.order?.environment.RESILIENCE_MODE, 'off');
    assert.equal(services.payment?.environment.RESILIENCE_MODE, 'off');
  });

  it("adds a run's settings to the services they name, next to a knock-out of another, and refuses one the stack generates", async () => {
    const options = { resilience: 'on' as const, knockout: parseRef('compensation order'), settings: { product: { RESERVATION_HOLD_TTL_SEC: '5' } } };
    const environments = runEnvironments(cfg, options);
    assert.deepEqual(Object.keys(environments).sort(), ['order', 'product']);
    const services = await merged(runOptionsCompose(environments));
    assert.equal(services.product?.environment.RESERVATION_HOLD_TTL_SEC, '5');
    assert.equal(services.product?.environment.FAULTLINE_KNOCKOUT, undefined);
    assert.equal(services.order?.environment.FAULTLINE_KNOCKOUT, 'compensation:saga');
    assert.equal(services.order?.environment.RESERVATION_HOLD_TTL_SEC, undefined);
    assert.throws(
      () => runEnvironments(cfg, { resilience: 'on', settings: { payment: { PROVIDERS_URL: 'http://elsewhere:1' } } }),
      /payment: PROVIDERS_URL is set by the lab itself/,
    );
    // Only the knocked-out service has FAULTLINE_KNOCKOUT generated; a setting may not knock another one out quietly.
    assert.throws(
      () => runEnvironments(cfg, { resilience: 'on', settings: { payment: { FAULTLINE_KNOCKOUT: 'breaker:providers', LOG_FILE: '/tmp/x' } } }),
      /payment: FAULTLINE_KNOCKOUT, LOG_FILE are set by the lab itself/,
    );
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
