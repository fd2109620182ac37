import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { CI_STEPS, ciCommand } from '../src/compose/ci-steps.js';
import { routeCompose } from '../src/compose/commands.js';
import { staleComposeFiles } from '../src/compose/files.js';
import { OFFLINE_SERVICE_PORT_BASE } from '../src/compose/stack.js';
import { loadConfig } from '../src/config.js';
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

describe('the offline compose file (the images built here)', () => {
  const offline = async () =>
    parse(await readFile(path.join(composeDir(), 'docker-compose.offline.yml'), 'utf8')) as {
      services: Record<string, { image?: string; build?: unknown; ports?: string[]; mem_limit?: string }>;
    };

  it('passes the real compose validator, with and without the load profile', async () => {
    const file = path.join(composeDir(), 'docker-compose.offline.yml');
    for (const profiles of [[], ['--profile', 'load']]) {
      const result = await run('docker-compose', ['-f', file, ...profiles, 'config', '-q']);
      assert.equal(result.code, 0, result.stderr);
    }
  });

  it('runs only faultline/ images, without Grafana, Kong or ELK, and publishes the gateway, the UIs, the Toxiproxy API and each service on 127.0.0.1 only', async () => {
    const { services } = await offline();
    for (const left of ['grafana', 'kong', 'elasticsearch', 'kibana', 'filebeat', 'elk-setup'])
      assert.equal(services[left], undefined, `${left} is in the offline file`);
    for (const [name, service] of Object.entries(services)) {
      assert.match(service.image ?? '', /^faultline\//, `${name} runs ${service.image}`);
      assert.equal(service.build, undefined, `${name} is built by compose`);
      assert.ok(service.mem_limit, `${name} has no memory limit`);
      for (const port of service.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port} beyond loopback`);
    }
    // Each service's own port, as natively: the audit, the admin APIs and the chaos runner's /metrics samples.
    for (const [i, name] of SERVICE_NAMES.entries())
      assert.deepEqual(services[name]?.ports, [`127.0.0.1:${OFFLINE_SERVICE_PORT_BASE + i}:${loadConfig({}).ports[name]}`]);
    const published = Object.entries(services)
      .filter(([, s]) => s.ports?.length)
      .map(([n]) => n)
      .sort();
    assert.deepEqual(published, ['gateway', 'jaeger', 'prometheus', 'rabbitmq', 'toxiproxy', ...SERVICE_NAMES].sort());
  });
});

describe('the CI template (chaos/ci/github-workflow.yml)', () => {
  it('runs, in its compose job, exactly the faultline commands the compose tests run, in that order', async () => {
    const workflow = parse(await readFile(path.join(lab().root, 'chaos/ci/github-workflow.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    const commands = (workflow.jobs.compose?.steps ?? [])
      .map((step) => step.run?.match(/npm run faultline -- (.+)$/m)?.[1]?.trim())
      .filter((c): c is string => Boolean(c));
    assert.deepEqual(commands, Object.values(CI_STEPS).map(ciCommand));
  });
});

describe('--compose on the lab commands', () => {
  it('routes up, down, status, load, logs and audit to their compose target, and leaves other commands alone', () => {
    assert.deepEqual(routeCompose(['node', 'faultline', 'up', '--compose', '--detach']), ['node', 'faultline', 'compose', 'up', '--detach']);
    assert.deepEqual(routeCompose(['node', 'faultline', 'load', 'smoke', '--compose']), ['node', 'faultline', 'compose', 'load', 'smoke']);
    assert.deepEqual(routeCompose(['node', 'faultline', 'audit', '--compose', '--json']), ['node', 'faultline', 'compose', 'audit', '--json']);
    assert.deepEqual(routeCompose(['node', 'faultline', 'up', '--detach']), ['node', 'faultline', 'up', '--detach']);
    assert.deepEqual(routeCompose(['node', 'faultline', 'edges', '--compose']), ['node', 'faultline', 'edges', '--compose']);
  });
});
