import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { staleComposeFiles } from '../src/compose/files.js';
import { run } from '../src/proc.js';
import { edges, SERVICE_NAMES } from '../src/topology/topology.js';
import { lab } from './support.js';

const composeDir = () => path.join(lab().root, 'compose');

describe('compose files generated from the topology', () => {
  it('are not stale (regenerate with: npm run faultline -- compose generate)', async () => {
    assert.deepEqual(await staleComposeFiles(lab()), []);
  });

  it('pass the real compose validator, with and without the elk and load profiles', async () => {
    const file = path.join(composeDir(), 'docker-compose.yml');
    for (const profiles of [[], ['--profile', 'elk', '--profile', 'load']]) {
      const result = await run('docker-compose', ['-f', file, ...profiles, 'config', '-q']);
      assert.equal(result.code, 0, result.stderr);
    }
  });

  it('give every container a memory limit and run the six services from one image build', async () => {
    const compose = parse(await readFile(path.join(composeDir(), 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { mem_limit?: string; build?: { args?: { SERVICE?: string } } }>;
    };
    for (const [name, service] of Object.entries(compose.services)) assert.ok(service.mem_limit, `${name} has no memory limit`);
    for (const name of SERVICE_NAMES) assert.equal(compose.services[name]?.build?.args?.SERVICE, name);
  });

  it('proxy every edge of the topology in Toxiproxy, and Prometheus accepts its config (promtool)', async () => {
    const proxies = JSON.parse(await readFile(path.join(composeDir(), 'toxiproxy.json'), 'utf8')) as { name: string }[];
    assert.deepEqual(
      proxies.map((p) => p.name),
      edges(lab().ports['proxy-base']).map((e) => e.name),
    );
    const result = await run('promtool', ['check', 'config', path.join(composeDir(), 'prometheus.yml')]);
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
  });
});
