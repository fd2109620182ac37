import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { COMPONENTS, componentStatus, infraStatus, infraUp, LabError, postgresUrl, startComponent, stopComponent } from '../src/index.js';
import { run } from '../src/proc.js';
import { lab, unique } from './support.js';

const component = (name: string) => {
  const found = COMPONENTS.find((c) => c.name === name);
  if (!found) throw new Error(name);
  return found;
};
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, [path.join(lab().root, 'packages/cli/bin/faultline.mjs'), ...args], { env: { ...process.env, ...env, NO_COLOR: '1' } });

describe('native infrastructure runtime', () => {
  it('infra up on a running lab is harmless: same pids, everything still ready', async () => {
    const before = await infraStatus(lab());
    const outcome = await infraUp(lab(), { renderer: 'silent' });
    assert.deepEqual(
      Object.values(outcome),
      COMPONENTS.map(() => 'running'),
    );
    const after = await infraStatus(lab());
    assert.deepEqual(
      after.map((s) => [s.name, s.health, s.pids]),
      before.map((s) => [s.name, 'ready', s.pids]),
    );
  });

  it('down then up keeps the data', async function () {
    this.timeout(90_000);
    const table = `keep_${unique()}`;
    const write = new pg.Client({ connectionString: await postgresUrl(lab()) });
    await write.connect();
    await write.query(`CREATE TABLE ${table} (note text)`);
    await write.query(`INSERT INTO ${table} VALUES ('still here')`);
    await write.end();

    assert.equal(await stopComponent(lab(), component('postgres')), true);
    assert.equal((await componentStatus(lab(), component('postgres'))).health, 'stopped');
    assert.equal(await startComponent(lab(), component('postgres')), 'started');

    const read = new pg.Client({ connectionString: await postgresUrl(lab()) });
    await read.connect();
    try {
      const { rows } = await read.query<{ note: string }>(`SELECT note FROM ${table}`);
      assert.deepEqual(rows, [{ note: 'still here' }]);
      await read.query(`DROP TABLE ${table}`);
    } finally {
      await read.end();
    }
  });

  it('a port already in use is a clear error naming the port, its owner and the override', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as AddressInfo).port;
    const stateDir = await mkdtemp(path.join(tmpdir(), 'faultline-state-'));
    const cfg = { ...lab(), stateDir, ports: { ...lab().ports, toxiproxy: port } };
    try {
      await assert.rejects(startComponent(cfg, component('toxiproxy')), (error: unknown) => {
        assert.ok(error instanceof LabError);
        assert.match(error.message, new RegExp(`port ${port} \\(toxiproxy\\) is already in use by node`));
        assert.match(error.hint ?? '', /FAULTLINE_PORT_TOXIPROXY=<port>/);
        return true;
      });
    } finally {
      squatter.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('a component that dies at start-up is reported with its log', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'faultline-state-'));
    // Two of Jaeger's listeners on one free port: each passes the pre-start check, the second bind fails.
    const cfg = {
      ...lab(),
      stateDir,
      ports: {
        ...lab().ports,
        'jaeger-query': 27686,
        'jaeger-query-grpc': 27685,
        'jaeger-otlp-grpc': 27317,
        'jaeger-otlp-http': 27318,
        'jaeger-thrift-http': 27268,
        'jaeger-thrift-compact': 27831,
        'jaeger-health': 27133,
        'jaeger-metrics': 27133,
      },
    };
    try {
      await assert.rejects(startComponent(cfg, component('jaeger')), (error: unknown) => {
        assert.ok(error instanceof LabError, String(error));
        assert.equal(error.component, 'jaeger', error.describe());
        assert.equal(error.logPath, path.join(stateDir, 'logs', 'jaeger.log'), error.describe());
        assert.match(error.message, /exited during start-up/);
        return true;
      });
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('faultline setup --check compares pinned with installed and fails when a tool is missing', async function () {
    this.timeout(30_000);
    const ok = await cli(['setup', '--check']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /go\.k6\.io\/k6\/v2@v2\.2\.0 +│ go\.k6\.io\/k6\/v2@v2\.2\.0/);
    assert.match(ok.stdout, /schemathesis==4\.32\.5 +│ schemathesis==4\.32\.5/);
    const emptyTools = await mkdtemp(path.join(tmpdir(), 'faultline-tools-'));
    try {
      const missing = await cli(['setup', '--check'], { FAULTLINE_TOOLS_DIR: emptyTools });
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /5 tool\(s\) missing or not at the pinned version: toxiproxy, k6, jaeger, dashlint, schemathesis/);
    } finally {
      await rm(emptyTools, { recursive: true, force: true });
    }
  });

  it('faultline infra status reports every component ready', async () => {
    const result = await cli(['infra', 'status', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const statuses = JSON.parse(result.stdout) as { name: string; health: string }[];
    assert.deepEqual(
      statuses.map((s) => `${s.name}:${s.health}`),
      COMPONENTS.map((c) => `${c.name}:ready`),
    );
  });
});
