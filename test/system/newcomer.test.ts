import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { PORT_TABLE, rabbitmqAuth, rabbitmqManagementUrl, setEdgeEnabled } from '@faultline/lab';
import { eventually } from '@faultline/lab/testing';
import { run } from '../../packages/lab/src/proc.js';
import { adminCredentials } from '../../packages/lab/src/topology/admin.js';
import { adminToken } from '../../packages/lab/src/topology/audit.js';
import { GATEWAY_PROBLEMS, gatewayRoutes } from '../../packages/lab/src/topology/gateway.js';
import { proxyConfig } from '../../packages/lab/src/topology/proxies.js';
import { api, cfg, ensureShop } from './lab.js';

// A newcomer's first hour, as a test: the README's claims checked against the running lab. Every
// match is on output with ANSI codes stripped (CI forces colour), and nothing depends on the
// terminal's width or the clone's path.

const bin = path.join(cfg.root, 'packages/cli/bin/faultline.mjs');

/** Run the faultline CLI as a user would; stdout and stderr without colour codes. */
async function faultline(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = await run(process.execPath, [bin, ...args], { env: { ...process.env, ...options.env }, ...(options.cwd ? { cwd: options.cwd } : {}) });
  return { code: result.code, stdout: stripVTControlCharacters(result.stdout), stderr: stripVTControlCharacters(result.stderr) };
}

/** The README's default port → this lab's port (the tests may run with other ports). */
const DEFAULT_TO_LAB = new Map<number, number>(PORT_TABLE.map((p) => [p.port, cfg.ports[p.name]]));
const onThisLab = (url: string) => url.replace(/:(\d+)/, (_, port: string) => `:${DEFAULT_TO_LAB.get(Number(port)) ?? port}`);

/** The http://127.0.0.1 URLs of the README, the runbooks and the service READMEs (placeholders like <id> left out). */
async function documentedUrls(): Promise<{ url: string; where: string }[]> {
  const files = [
    'README.md',
    ...(await readdir(path.join(cfg.root, 'runbooks'))).map((f) => `runbooks/${f}`),
    ...(await readdir(path.join(cfg.root, 'services'))).map((s) => `services/${s}/README.md`),
  ];
  const found: { url: string; where: string }[] = [];
  for (const file of files) {
    const text = await readFile(path.join(cfg.root, file), 'utf8').catch(() => '');
    for (const match of text.matchAll(/http:\/\/127\.0\.0\.1:\d+[^\s`)|'"<>,]*/g)) {
      const url = match[0].replace(/[.:;]+$/, '');
      const next = text[(match.index ?? 0) + match[0].length];
      if (next === '<' || url.includes('…')) continue;
      found.push({ url, where: file });
    }
  }
  return found;
}

/** The rows of the Markdown table whose header starts with `| <first> `. */
function markdownTable(text: string, first: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} `));
  assert.ok(start >= 0, `no table starting with "${first}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** Command names listed under "Commands:" in commander's help (continuation lines are indented further). */
const helpCommands = (help: string) =>
  [...(help.split('Commands:')[1] ?? '').matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1] as string).filter((name) => name !== 'help');

describe("a newcomer's first hour: the README against the running lab", function () {
  this.timeout(180_000);
  let readme: string;

  before(async () => {
    await ensureShop();
    readme = await readFile(path.join(cfg.root, 'README.md'), 'utf8');
  });

  it('every 127.0.0.1 URL the READMEs and runbooks give answers, and so does every service’s /docs and /openapi.json', async () => {
    const urls = await documentedUrls();
    assert.ok(urls.length >= 6, `only ${urls.length} URLs found`);
    const token = await adminToken(cfg);
    const failures: string[] = [];
    const services = Object.keys(cfg.ports).filter((name) => ['user', 'product', 'order', 'payment', 'notification', 'providers'].includes(name));
    const own = services.flatMap((s) =>
      ['docs', 'openapi.json'].map((p) => ({ url: `http://127.0.0.1:${cfg.ports[s as 'user']}/${p}`, where: `${s} service` })),
    );
    for (const { url, where } of [...urls.map((u) => ({ url: onThisLab(u.url), where: u.where })), ...own]) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) }).catch(
        (e: unknown) => e as Error,
      );
      if (response instanceof Error) failures.push(`${url} (${where}): ${response.message}`);
      else if (!response.ok) failures.push(`${url} (${where}): ${response.status}`);
    }
    assert.deepEqual(failures, []);
  });

  it("the README's gateway routes are the generated ones, and each reaches its service", async () => {
    const row = markdownTable(readme, 'part').find((r) => r[0] === 'gateway');
    const documented = [...(row?.[1] ?? '').matchAll(/`\/api\/([^`]+)`/g)].map((m) => m[1]);
    assert.deepEqual(
      documented,
      gatewayRoutes(cfg).map((r) => r.prefix),
    );
    for (const route of gatewayRoutes(cfg)) {
      const response = await fetch(`${api}/${route.prefix}`);
      // A service answered (whatever its status) when the answer names a trace; the gateway's own 404 names none.
      assert.ok(response.headers.get('traceresponse'), `/api/${route.prefix} answered ${response.status} without a traceresponse: not from ${route.service}`);
    }
  });

  it("the README's command table is faultline --help, both ways, and the chaos verbs are chaos --help's", async () => {
    const rows = markdownTable(readme, 'command');
    const documented = rows
      .map((r) => (r[0] ?? '').replace(/^`|`$/g, ''))
      .flatMap((cell) => {
        // `start \| stop \| restart <service>` names three commands; `services up \| down` one.
        const words = cell.split(' ');
        return words[1] === '\\|' && !words[0]?.startsWith('chaos') ? words.filter((w) => /^[a-z]+$/.test(w)) : [words[0] as string];
      });
    const help = await faultline(['--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.deepEqual([...new Set(documented)].sort(), helpCommands(help.stdout).sort());
    const chaosRow = rows.find((r) => r[0]?.startsWith('`chaos '))?.[0] ?? '';
    const chaosHelp = await faultline(['chaos', '--help']);
    assert.deepEqual(
      chaosRow
        .replace(/^`chaos |`$/g, '')
        .split(' \\| ')
        .sort(),
      helpCommands(chaosHelp.stdout).sort(),
    );
    const edges = await faultline(['edges']);
    for (const edge of proxyConfig(cfg)) assert.match(edges.stdout, new RegExp(`│ ${edge.name} +│ ${edge.listen.replace(/\./g, '\\.')} `));
  });

  it('every lab listener is on a loopback address (epmd adds [::1], as the README says)', async () => {
    const ports = new Set([...Object.values(cfg.ports), ...proxyConfig(cfg).map((e) => Number(e.listen.split(':').at(-1)))]);
    const { stdout } = await run('ss', ['-Hltnu']);
    const ours = stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[4] ?? '')
      .filter((local) => ports.has(Number(local.split(':').at(-1))));
    assert.ok(ours.length >= 10, `only ${ours.length} lab sockets found:\n${stdout}`);
    assert.deepEqual(
      ours.filter((local) => !/^(127\.0\.0\.1|\[::1\]):\d+$/.test(local)),
      [],
    );
  });

  it('every answer names its trace, which leads to a waterfall and to the logs, the gateway’s line included', async () => {
    const marker = randomUUID();
    const response = await fetch(`${api}/products?limit=2&q=${marker}`);
    assert.equal(response.status, 200);
    const traceresponse = response.headers.get('traceresponse') ?? '';
    const requestId = response.headers.get('x-request-id') ?? '';
    assert.match(traceresponse, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    assert.match(requestId, /^[0-9a-f]{32}$/);
    const traceId = traceresponse.split('-')[1] as string;

    // The gateway's access log names the trace beside the request id.
    const accessLog = await readFile(path.join(cfg.stateDir, 'logs', 'gateway.access.log'), 'utf8');
    const line = accessLog.split('\n').find((l) => l.includes(marker));
    assert.ok(line, 'the request is not in the gateway access log');
    const logged = JSON.parse(line) as { http: { request: { id: string } }; trace: { id: string } };
    assert.deepEqual([logged.http.request.id, logged.trace.id], [requestId, traceId]);

    // faultline trace accepts the request id, the header and the trace id alike.
    for (const id of [requestId, traceresponse, traceId]) {
      const shown = await faultline(['trace', id]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`^trace ${traceId} +\\d+ spans?, \\d+ services? \\([^)]*product`, 'm'));
      assert.match(shown.stdout, /^product +GET \/v1\/products .*│ +[\d.]+ m?s {2}200$/m);
    }
    const json = JSON.parse((await faultline(['trace', traceId, '--json'])).stdout) as { traceId: string; spans: { service: string }[] };
    assert.equal(json.traceId, traceId);
    assert.ok(json.spans.some((s) => s.service === 'product'));

    const logs = await faultline(['logs', '--trace', traceId]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(
      logs.stdout,
      new RegExp(`^\\S+ gateway +info +GET /api/products\\?limit=2&q=${marker} HTTP/1\\.1 200 requestId=${requestId} .*trace=${traceId}$`, 'm'),
    );

    const unknown = await faultline(['trace', 'not-a-trace']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /fix: {2}pass the traceresponse header/);
  });

  it("the gateway's own errors are problem+json with stable names, and a Location header works through it", async () => {
    const expectProblem = async (response: Response, name: string) => {
      const spec = GATEWAY_PROBLEMS.find((p) => p.name === name);
      assert.equal(response.status, spec?.status, `${name}: ${response.status}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.ok(response.headers.get('x-request-id'));
      const body = (await response.json()) as { type: string; name: string; status: number };
      assert.deepEqual([body.type, body.name, body.status], [`urn:faultline:problem:${name}`, name, spec?.status]);
      if (spec?.retryAfterSec) assert.equal(response.headers.get('retry-after'), String(spec.retryAfterSec));
    };
    await expectProblem(await fetch(`${api.replace(/\/api$/, '')}/nowhere`), 'route-not-found');
    await expectProblem(
      await fetch(`${api}/products`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `"${'x'.repeat(1_100_000)}"` }),
      'payload-too-large',
    );
    await expectProblem(await fetch(`${api}/products?q=${'x'.repeat(20_000)}`), 'uri-too-long');
    // A request nginx cannot read (a Content-Length that is not a number), sent raw: fetch would refuse to.
    const raw = await new Promise<string>((resolve, reject) => {
      let answer = '';
      const socket = connect(cfg.ports.gateway, '127.0.0.1', () => socket.write('GET /api/products HTTP/1.1\r\nHost: lab\r\nContent-Length: abc\r\n\r\n'));
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString();
      });
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.setTimeout(10_000, () => socket.destroy(new Error('no answer')));
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /content-type: application\/problem\+json/i);
    assert.match(raw, /"name":"bad-request"/);
    await setEdgeEnabled(cfg, 'gateway__product', false);
    try {
      await expectProblem(await fetch(`${api}/products`), 'upstream-failed');
    } finally {
      await setEdgeEnabled(cfg, 'gateway__product', true);
    }

    const email = `newcomer-${randomUUID()}@faultline.test`;
    const registered = await fetch(`${api}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: 'New Comer', password: 'newcomer-password' }),
    });
    assert.equal(registered.status, 201, await registered.clone().text());
    // nginx makes it absolute, on the gateway's own origin.
    const location = new URL(registered.headers.get('location') ?? '', api);
    assert.match(location.pathname, /^\/api\/users\/[0-9a-f-]{36}$/);
    assert.equal(location.origin, new URL(api).origin);
    // Reading a user by id is an admin's right.
    const followed = await fetch(location, { headers: { authorization: `Bearer ${await adminToken(cfg)}` } });
    assert.equal(followed.status, 200, await followed.clone().text());
  });

  it('logs --follow starts at the tail (the last 10 lines), then prints what comes', async () => {
    const marker = randomUUID();
    for (let i = 0; i < 12; i += 1) await fetch(`${api}/products?limit=1&q=before-${marker}-${String(i).padStart(2, '0')}`);
    const child = spawn(process.execPath, [bin, 'logs', '--service', 'gateway', '--follow'], { env: { ...process.env, FORCE_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += stripVTControlCharacters(chunk.toString());
    });
    try {
      await eventually('the tail', async () => (out.includes(`before-${marker}-11`) ? true : undefined), 60_000);
      await fetch(`${api}/products?limit=1&q=after-${marker}`);
      await eventually('the new line', async () => (out.includes(`after-${marker}`) ? true : undefined), 30_000);
      assert.deepEqual(
        [...out.matchAll(new RegExp(`before-${marker}-(\\d+)`, 'g'))].map((m) => Number(m[1])),
        [2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      );
    } finally {
      child.kill('SIGINT');
    }
  });

  it('faultline logs | head ends quietly', async () => {
    const result = await run('sh', ['-c', `"${process.execPath}" "${bin}" logs | head -n 1`], { env: { ...process.env, FORCE_COLOR: '1' } });
    assert.equal(result.code, 0);
    assert.equal(stripVTControlCharacters(result.stdout).split('\n').filter(Boolean).length, 1);
    assert.doesNotMatch(result.stderr, /EPIPE|Error/);
  });

  it('status names the dead letters by reason and event, and leaves them where they are', async () => {
    const queue = 'notification.events.dlq';
    // The letters' ids, read and requeued (the queue's counters lag by seconds; its messages do not).
    const letterIds = async () => {
      const response = await fetch(`${rabbitmqManagementUrl(cfg)}/api/queues/%2F/${queue}/get`, {
        method: 'POST',
        headers: { ...rabbitmqAuth, 'content-type': 'application/json' },
        body: JSON.stringify({ count: 1000, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 100 }),
      });
      return ((await response.json()) as { properties?: { message_id?: string } }[]).map((m) => m.properties?.message_id);
    };
    const id = `newcomer-poison-${randomUUID()}`;
    const published = await fetch(`${rabbitmqManagementUrl(cfg)}/api/exchanges/%2F/faultline.events/publish`, {
      method: 'POST',
      headers: { ...rabbitmqAuth, 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: 'user.registered',
        properties: { message_id: id, content_type: 'application/json', type: 'user.registered' },
        payload: '{"id": "truncated',
        payload_encoding: 'string',
      }),
    });
    assert.equal(((await published.json()) as { routed: boolean }).routed, true);
    await eventually('the poison message dead-lettered', async () => ((await letterIds()).includes(id) ? true : undefined), 30_000, 500);
    // status reads the queue's depth from the management API's counters, which lag.
    const status = await eventually(
      'status listing the dead letter',
      async () => {
        const shown = await faultline(['status'], { env: { FORCE_COLOR: '1' } });
        return shown.stdout.split('\n').some((l) => l.includes(queue) && l.includes('user.registered') && /\bpoison\b/.test(l)) ? shown : undefined;
      },
      90_000,
      2000,
    );
    assert.match(status.stdout, /they are left in place/);
    assert.match(status.stdout, new RegExp(`#/queues/%2F/${queue.replace(/\./g, '\\.')}`));
    assert.ok((await letterIds()).includes(id), 'status must leave the dead letters in place');
  });

  it('admin credentials and a token for the admin APIs, as the README says', async () => {
    const credentials = await faultline(['admin', 'credentials']);
    const { email, password } = await adminCredentials(cfg);
    assert.match(credentials.stdout, new RegExp(`^email: +${email.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(credentials.stdout, new RegExp(`^password: +${password}$`, 'm'));
    const token = (await faultline(['admin', 'token'])).stdout.trim();
    const ledger = await fetch(`http://127.0.0.1:${cfg.ports.payment}/v1/ledger/audit`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ledger.status, 200);
  });

  it('services up --knockout on a running service fails, naming the restart that applies it', async () => {
    const result = await faultline(['services', 'up', '--only', 'order', '--knockout', 'bulkhead order→product']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /order is already running/);
    assert.match(result.stderr, /fix: {2}restart it with the knock-out: npm run faultline -- restart order --knockout "bulkhead order→product"/);
  });

  it('load smoke --report writes the report where the user typed the command, and prints its absolute path', async function () {
    this.timeout(150_000);
    const where = await mkdtemp(path.join(tmpdir(), 'faultline-newcomer-'));
    try {
      const result = await faultline(['load', 'smoke', '--report', 'smoke.html'], { env: { INIT_CWD: where, FORCE_COLOR: '1' } });
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      const file = path.join(where, 'smoke.html');
      assert.ok((await stat(file)).size > 10_000, 'the report is missing or empty');
      assert.ok(result.stdout.split('\n').includes(`report: ${file}`), result.stdout.slice(-2000));
    } finally {
      await rm(where, { recursive: true, force: true });
    }
  });
});
