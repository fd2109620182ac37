import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { CI_STEPS } from '../src/compose/ci-steps.js';
import { OFFLINE_PROJECT } from '../src/compose/offline.js';
import { OFFLINE_PUBLISHED } from '../src/compose/stack.js';
import { composeAddresses } from '../src/compose/target.js';
import { engineUnavailable, findEngine } from '../src/images/engine.js';
import { run } from '../src/proc.js';
import { metricsSnapshot } from '../src/topology/status.js';
import { eventually, lab } from './support.js';

/**
 * The offline compose stack on a real Docker engine: built here (`faultline images build`), started
 * with the CLI the CI template runs, exercised through the published ports only.
 */
const cli = (args: readonly string[], timeoutMs = 20 * 60_000) =>
  run(process.execPath, [path.join(lab().root, 'packages/cli/bin/faultline.mjs'), ...args], { timeoutMs }).then((r) => ({
    ...r,
    text: stripVTControlCharacters(`${r.stdout}${r.stderr}`),
  }));

const at = (port: number) => `http://127.0.0.1:${port}`;
const api = `${at(OFFLINE_PUBLISHED.gateway)}/api`;
const MUG = '10000000-0000-4000-8000-000000000001';
const FIVE = ['order', 'product', 'payment', 'providers', 'notification'];

async function json(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function customer(): Promise<string> {
  const email = `compose-${randomUUID()}@faultline.test`;
  const body = JSON.stringify({ email, name: 'Compose Test', password: 'compose-test-password' });
  const headers = { 'content-type': 'application/json' };
  const registered = await fetch(`${api}/auth/register`, { method: 'POST', headers, body });
  assert.equal(registered.status, 201, await registered.text());
  const login = await fetch(`${api}/auth/login`, { method: 'POST', headers, body: JSON.stringify({ email, password: 'compose-test-password' }) });
  return String((await json(login)).accessToken);
}

async function checkout(token: string): Promise<{ status: number; orderId: string; traceId: string; body: Record<string, unknown> }> {
  const traceId = randomUUID().replaceAll('-', '');
  const response = await fetch(`${api}/orders`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${token}`,
      'idempotency-key': randomUUID(),
      traceparent: `00-${traceId}-${randomUUID().replaceAll('-', '').slice(0, 16)}-01`,
    },
    body: JSON.stringify({ items: [{ productId: MUG, quantity: 1 }], cardToken: 'tok_visa' }),
  });
  const body = await json(response);
  return { status: response.status, orderId: String(body.orderId ?? ''), traceId, body };
}

const orderStatus = async (token: string, orderId: string) =>
  String((await json(await fetch(`${api}/orders/${orderId}`, { headers: { authorization: `Bearer ${token}` } }))).status);

async function promQuery(query: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`${at(OFFLINE_PUBLISHED.prometheus)}/api/v1/query?query=${encodeURIComponent(query)}`);
  return ((await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
}

describe('the offline compose stack on a real Docker engine', function () {
  this.timeout(5 * 60_000);
  let ran = false;

  before(async function () {
    const why = await engineUnavailable(lab());
    if (why) {
      console.log(`    skipped: ${why} — the compose stack cannot run on this machine`);
      this.skip();
    }
    this.timeout(30 * 60_000);
    ran = true;
    const up = await cli(CI_STEPS.up);
    assert.equal(up.code, 0, up.text);
  });

  after(async function () {
    this.timeout(3 * 60_000);
    // Whatever happened, nothing of the stack or the lab's engine stays behind.
    if (ran) await cli(CI_STEPS.down);
  });

  it('comes up with every container healthy (status --compose)', async () => {
    const status = await cli(CI_STEPS.status);
    assert.equal(status.code, 0, status.text);
    for (const name of [
      'postgres',
      'rabbitmq',
      'toxiproxy',
      'jaeger',
      'prometheus',
      'gateway',
      'user',
      'product',
      'order',
      'payment',
      'notification',
      'providers',
    ])
      assert.match(status.text, new RegExp(`│ ${name} +│ ready`), `${name} is not ready:\n${status.text}`);
  });

  it('a checkout through the nginx gateway is confirmed, as one Jaeger trace across the five services', async () => {
    const token = await customer();
    const answer = await checkout(token);
    assert.ok([201, 202].includes(answer.status), `checkout answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    await eventually('the order to be confirmed', async () => ((await orderStatus(token, answer.orderId)) === 'confirmed' ? true : undefined), 60_000, 500);
    const services = await eventually(
      'the checkout trace in Jaeger with spans of the five services',
      async () => {
        const response = await fetch(`${at(OFFLINE_PUBLISHED.jaeger)}/api/traces/${answer.traceId}`);
        if (!response.ok) return undefined;
        const trace = ((await response.json()) as { data: { processes: Record<string, { serviceName: string }> }[] }).data[0];
        const names = new Set(Object.values(trace?.processes ?? {}).map((p) => p.serviceName));
        return FIVE.every((s) => names.has(s)) ? names : undefined;
      },
      120_000,
      1000,
    );
    for (const name of FIVE) assert.ok(services.has(name), `${name} is missing from the trace`);
    const logs = await cli(['logs', '--compose', '--trace', answer.traceId]);
    assert.equal(logs.code, 0, logs.text);
    for (const name of ['order', 'payment', 'product'])
      assert.match(
        logs.text,
        new RegExp(`^[\\d:.]{12} ${name} +(info|warn|error|debug)`, 'm'),
        `logs --compose has no line of ${name} in the trace:\n${logs.text}`,
      );
  });

  it('the k6 smoke profile passes in its container, and its results are in Prometheus (load smoke --compose)', async () => {
    // Freshly started containers on a loaded machine can miss a latency threshold (k6 exit 99): then
    // one more, warm pass. Latency is the only slack: every request must succeed and every check pass.
    const onlyLatencyFailed = (text: string) => {
      const failed = [...text.matchAll(/^\s*FAIL\s+(\S+)/gm)].map((m) => m[1] ?? '');
      return failed.length > 0 && failed.every((name) => name.startsWith('http_req_duration'));
    };
    let load = await cli(CI_STEPS.smoke, 5 * 60_000);
    if (load.code !== 0 && /k6 exit 99/.test(load.text)) load = await cli(CI_STEPS.smoke, 5 * 60_000);
    if (load.code !== 0 && /k6 exit 99/.test(load.text) && onlyLatencyFailed(load.text))
      console.log('    note: k6 smoke missed only latency thresholds (a loaded machine); every request and check passed');
    else assert.equal(load.code, 0, load.text);
    assert.match(load.text, /PASS\s+http_req_failed rate<0.01/, load.text);
    assert.match(load.text, /PASS\s+checks rate>0.99/, load.text);
    assert.match(load.text, /checks/);
    const reqs = await eventually(
      "k6's requests in Prometheus",
      async () => {
        const result = await promQuery('sum(k6_http_reqs_total{profile="smoke"})');
        const value = Number(result[0]?.value[1] ?? 0);
        return value > 0 ? value : undefined;
      },
      30_000,
      1000,
    );
    assert.ok(reqs > 0);
  });

  it('chaos prove payment-provider-outage --compose: intact its breaker verdicts pass, with the breaker knocked out breaker-opens fails, and no knock-out is left', async function () {
    this.timeout(15 * 60_000);
    const out = await mkdtemp(path.join(tmpdir(), 'faultline-compose-prove-'));
    try {
      // The CI template's step, with the reports written where this test reads them.
      const prove = await cli([...CI_STEPS.prove, '--out', out], 14 * 60_000);
      const report = JSON.parse(await readFile(path.join(out, 'prove.json'), 'utf8')) as {
        cells: { knockout: string; status: string; caughtBy: string[] }[];
        proven: boolean;
      };
      const journal = async (stem: string) =>
        JSON.parse(await readFile(path.join(out, `${stem}.json`), 'utf8')) as {
          verdict: string;
          load: { requests: number };
          expectations: { id: string; passed: boolean; measured: number | null; threshold: string; detail?: string }[];
        };
      const intact = await journal('payment-provider-outage');
      const failed = intact.expectations.filter((e) => !e.passed).map((e) => `${e.id}: ${e.measured ?? '—'} (${e.threshold}) ${e.detail ?? ''}`);
      for (const id of ['breaker-opens', 'breaker-closes', 'checkouts-accepted'])
        assert.equal(intact.expectations.find((e) => e.id === id)?.passed, true, `intact, ${id} did not pass; failed:\n${failed.join('\n')}`);
      // Judged from the gateway container's access log: k6's requests of this run are there.
      assert.ok(intact.load.requests > 100, `the gateway's log of the intact run has ${intact.load.requests} requests`);
      const knockedOut = report.cells.find((c) => c.knockout === 'breaker payment→providers');
      assert.equal(knockedOut?.status, 'caught', prove.text);
      assert.ok(
        knockedOut?.caughtBy.some((c) => c.startsWith('breaker-opens')),
        `caught by ${knockedOut?.caughtBy.join('; ')}, not breaker-opens`,
      );
      // The breaker's verdicts are what this proves; the experiment's other expectations (saga and
      // recovery times) are timing under the machine's load: reported, not judged here.
      for (const cell of report.cells)
        assert.ok(['passed', 'caught', 'failed-intact'].includes(cell.status), `${cell.knockout}: ${cell.status}\n${prove.text}`);
      if (failed.length) console.log(`    note: intact, other expectations failed (the machine's load?): ${failed.join('; ')}`);
      // Afterwards payment runs from the offline file alone: it exports no active knock-out.
      const metrics = await fetch(`${at(composeAddresses(lab()).ports.payment)}/metrics`);
      assert.equal(metrics.status, 200);
      assert.doesNotMatch(await metrics.text(), /^faultline_knockout_active\{[^}]*\} 1$/m);
      assert.deepEqual((await metricsSnapshot(composeAddresses(lab()))).knockouts, []);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('the invariant audit through the published service ports is clean (audit --compose)', async () => {
    const audit = await cli(CI_STEPS.audit);
    assert.equal(audit.code, 0, audit.text);
    assert.match(audit.text, /audit clean: [1-9]\d* orders checked/);
  });

  it('Prometheus scrapes every target of the stack and has the rules loaded', async () => {
    const targets = await eventually(
      'every Prometheus target up',
      async () => {
        const response = await fetch(`${at(OFFLINE_PUBLISHED.prometheus)}/api/v1/targets?state=active`);
        const list = ((await response.json()) as { data: { activeTargets: { labels: { job: string; instance: string }; health: string }[] } }).data
          .activeTargets;
        return list.length && list.every((t) => t.health === 'up') ? list : undefined;
      },
      60_000,
      1000,
    );
    const jobs = new Set(targets.map((t) => t.labels.job));
    for (const job of ['faultline', 'rabbitmq', 'toxiproxy', 'jaeger']) assert.ok(jobs.has(job), `no ${job} target`);
    assert.equal(targets.filter((t) => t.labels.job === 'faultline').length, 6);
    const rules = (await (await fetch(`${at(OFFLINE_PUBLISHED.prometheus)}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string }[] }[] } };
    const names = rules.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    assert.ok(names.includes('CheckoutAvailabilityBurnRate'), `rules loaded: ${names.join(', ')}`);
  });

  it('down --compose leaves no container, network or volume behind', async () => {
    const down = await cli(['down', '--compose']);
    assert.equal(down.code, 0, down.text);
    const engine = await findEngine(lab());
    assert.ok(engine, 'the engine stopped too early');
    const label = `label=com.docker.compose.project=${OFFLINE_PROJECT}`;
    for (const kind of [
      ['ps', '-aq'],
      ['network', 'ls', '-q'],
      ['volume', 'ls', '-q'],
    ]) {
      const left = await run('docker', [...kind, '--filter', label], { env: engine.env });
      assert.equal(left.code, 0, left.stderr);
      assert.equal(left.stdout.trim(), '', `docker ${kind.join(' ')} still lists ${left.stdout.trim()}`);
    }
  });
});
