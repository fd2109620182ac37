import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { toxiproxyUrl } from '@faultline/lab';
import { type Proxy as ToxiProxy, Toxiproxy } from 'toxiproxy-node-client';
import { eventually, lab, serve, unique } from '../../lab/test/support.js';
import { createHttpClient } from '../src/http-client.js';
import { createMetrics, toPrometheusText } from '../src/index.js';
import { createDependencyPolicy } from '../src/resilience/policy.js';
import type { PolicySettingsInput, ResilienceMode } from '../src/resilience/settings.js';
import { capturingLogger, rejection } from './support.js';

const { registry } = createMetrics('resilience-test');

/** The value of one sample in the registry's exposition, or undefined when it is absent. */
async function sample(metric: string, labels: Record<string, string>): Promise<number | undefined> {
  for (const line of (await registry.metrics()).split('\n')) {
    const match = line.match(/^(\w+)\{([^}]*)\} (\S+)/);
    if (match?.[1] !== metric) continue;
    const found = Object.fromEntries([...(match[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** A local dependency answering with `answer`, which gets the 1-based hit number; hits are recorded with their time. */
async function dependency(answer: (hit: number, req: IncomingMessage, res: ServerResponse) => unknown) {
  const hits: number[] = [];
  const server = await serve((req, res) => {
    hits.push(performance.now());
    void answer(hits.length, req, res);
  });
  return { ...server, hits };
}

const problem = (res: ServerResponse, status: number, name: string, detail: string, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: `urn:faultline:problem:${name}`, title: name, status, name, detail }));
};
const ok = (res: ServerResponse, body: unknown = { ok: true }) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** A policy and client for a fresh dependency name, so every test reads its own metric series. */
function clientFor(baseUrl: string, settings: PolicySettingsInput, mode: ResilienceMode = 'on') {
  const name = `dep-${unique()}`;
  const { logger, lines } = capturingLogger();
  const policy = createDependencyPolicy({ name, settings, mode, logger, registry });
  return { name, policy, lines, client: createHttpClient({ name, baseUrl, policy, logger }) };
}

const fast = { retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 } };

describe('dependency policy (cockatiel, resilience4j metrics)', () => {
  describe('behind a Toxiproxy edge', () => {
    let upstream: Awaited<ReturnType<typeof dependency>>;
    let proxy: ToxiProxy;
    let proxyUrl: string;

    before(async () => {
      upstream = await dependency((_hit, _req, res) => ok(res));
      proxy = await new Toxiproxy(toxiproxyUrl(lab())).createProxy({
        name: `test_resilience_${unique()}`,
        listen: '127.0.0.1:0',
        upstream: `127.0.0.1:${upstream.port}`,
      });
      proxyUrl = `http://${proxy.listen}`;
    });

    after(async () => {
      await proxy?.remove();
      await upstream?.close();
    });

    it('the breaker opens when the edge is down, fails fast while open, and closes after a successful half-open probe', async () => {
      const settings = { timeoutMs: 300, retry: { maxAttempts: 1 }, breaker: { threshold: 0.5, size: 4, minimumCalls: 4, halfOpenAfterMs: 500 } };
      const { name, policy, client, lines } = clientFor(proxyUrl, settings);
      await client.get('/a');
      await client.get('/a');
      assert.equal(await sample('resilience4j_circuitbreaker_state', { name, state: 'closed' }), 1);

      proxy = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
      const failures: string[] = [];
      while (policy.state !== 'open' && failures.length < 10) failures.push((await rejection(client.get('/a'))).errorName);
      assert.deepEqual(failures, ['dependency-failed', 'dependency-failed', 'dependency-failed']);
      assert.equal(await sample('resilience4j_circuitbreaker_state', { name, state: 'open' }), 1);
      assert.equal(await sample('resilience4j_circuitbreaker_state', { name, state: 'closed' }), 0);
      assert.ok(lines.some((l) => l.message === 'circuit breaker opened' && l.dependency === name));

      const started = performance.now();
      const open = await rejection(client.get('/a'));
      assert.ok(performance.now() - started < 50, 'an open circuit answers at once');
      assert.equal(open.errorName, 'circuit-open');
      assert.equal(open.status, 503);
      assert.ok(open.retryAfterSec !== undefined && open.retryAfterSec > 0 && open.retryAfterSec <= 0.5, `retryAfterSec ${open.retryAfterSec}`);
      assert.equal(await sample('resilience4j_circuitbreaker_not_permitted_calls_total', { name }), 1);

      proxy = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
      await sleep(550);
      assert.equal((await client.get('/a')).status, 200);
      assert.equal(policy.state, 'closed');
      assert.equal(await sample('resilience4j_circuitbreaker_state', { name, state: 'closed' }), 1);
      assert.deepEqual(
        lines.filter((l) => String(l.message).startsWith('circuit breaker')).map((l) => l.message),
        ['circuit breaker opened', 'circuit breaker half-open', 'circuit breaker closed'],
      );
    });

    it('a 2 s latency toxic trips a 300 ms per-attempt timeout', async () => {
      const { name, client } = clientFor(proxyUrl, { timeoutMs: 300, retry: { maxAttempts: 1 } });
      const toxic = await proxy.addToxic({
        name: 'latency_down',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 2000, jitter: 0 },
      });
      try {
        const started = performance.now();
        const error = await rejection(client.get('/slow'));
        const elapsed = performance.now() - started;
        assert.equal(error.errorName, 'dependency-timeout');
        assert.equal(error.status, 504);
        assert.ok(elapsed >= 290 && elapsed < 1000, `timed out after ${elapsed} ms`);
        assert.equal(await sample('resilience4j_timelimiter_calls_total', { name, kind: 'timeout' }), 1);
        assert.equal(await sample('resilience4j_circuitbreaker_calls_seconds_count', { name, kind: 'failed' }), 1);
      } finally {
        await toxic.remove();
      }
    });
  });

  it('a timed-out attempt is cancelled: the dependency sees the connection close', async () => {
    let closedAfter: number | undefined;
    const hanging = await dependency((_hit, _req, res) => {
      const started = performance.now();
      res.once('close', () => {
        closedAfter = performance.now() - started;
      });
    });
    try {
      const { client } = clientFor(hanging.url, { timeoutMs: 200, retry: { maxAttempts: 1 } });
      assert.equal((await rejection(client.get('/hang'))).errorName, 'dependency-timeout');
      const after = await eventually('the connection to close', async () => closedAfter, 2_000, 20);
      assert.ok(after < 1_000, `closed after ${after} ms`);
    } finally {
      await hanging.close();
    }
  });

  it('retries a 503 until the configured attempts are used, each attempt counted by the breaker', async () => {
    const failing = await dependency((_hit, _req, res) => res.writeHead(503).end('down'));
    try {
      const { name, client, lines } = clientFor(failing.url, fast);
      const error = await rejection(client.get('/x'));
      assert.equal(error.errorName, 'dependency-failed');
      assert.equal(failing.hits.length, 3);
      assert.equal(await sample('resilience4j_retry_calls_total', { name, kind: 'failed_with_retry' }), 1);
      assert.equal(await sample('resilience4j_circuitbreaker_calls_seconds_count', { name, kind: 'failed' }), 3);
      assert.deepEqual(
        lines.filter((l) => l.message === 'retrying dependency call').map((l) => l.attempt),
        [1, 2],
      );
    } finally {
      await failing.close();
    }
  });

  it('never retries a 4xx: a 422 or 404 problem is asked once and comes back as the same error', async () => {
    const refusing = await dependency((_hit, req, res) =>
      req.url === '/missing' ? problem(res, 404, 'product-not-found', 'no product 42') : problem(res, 422, 'payment-declined', 'card declined by issuer'),
    );
    try {
      const { name, client } = clientFor(refusing.url, fast);
      const declined = await rejection(client.get('/pay'));
      assert.deepEqual([declined.errorName, declined.status, declined.detail], ['payment-declined', 422, 'card declined by issuer']);
      const missing = await rejection(client.get('/missing'));
      assert.deepEqual([missing.errorName, missing.status, missing.detail], ['product-not-found', 404, 'no product 42']);
      assert.equal(refusing.hits.length, 2);
      assert.equal(await sample('resilience4j_circuitbreaker_calls_seconds_count', { name, kind: 'ignored' }), 2);
      assert.equal(await sample('resilience4j_retry_calls_total', { name, kind: 'failed_without_retry' }), 2);
    } finally {
      await refusing.close();
    }
  });

  it('honours Retry-After from a 503 before the next attempt', async () => {
    const busy = await dependency((hit, _req, res) => (hit === 1 ? problem(res, 503, 'service-unavailable', 'warming up', { 'retry-after': '1' }) : ok(res)));
    try {
      const { name, client } = clientFor(busy.url, { retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 2_000 } });
      assert.equal((await client.get('/x')).status, 200);
      const [first, second] = busy.hits as [number, number];
      assert.ok(second - first >= 1_000, `waited ${second - first} ms`);
      assert.equal(await sample('resilience4j_retry_calls_total', { name, kind: 'successful_with_retry' }), 1);
      // The wait is measured around the retry, so the chaos verdicts see the backoff that happened.
      assert.equal(await sample('dependency_retry_wait_seconds_count', { name }), 1);
      assert.equal(await sample('dependency_retry_wait_seconds_bucket', { name, le: '0.5' }), 0);
      // Node's timers may fire up to a millisecond before performance.now() says the delay is over.
      const waited = (await sample('dependency_retry_wait_seconds_sum', { name })) ?? 0;
      assert.ok(waited >= 0.99, `measured a wait of ${waited} s`);
    } finally {
      await busy.close();
    }
  });

  it('the bulkhead rejects a call beyond its limit while a slow call is in flight', async () => {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = await dependency(async (_hit, _req, res) => {
      await released;
      ok(res);
    });
    try {
      const { name, client } = clientFor(slow.url, { timeoutMs: 5_000, bulkhead: { maxConcurrent: 1, maxQueue: 0 } });
      const inFlight = client.get('/slow');
      await eventually('the slow call to arrive', async () => (slow.hits.length === 1 ? true : undefined), 2_000, 10);
      assert.equal(await sample('resilience4j_bulkhead_available_concurrent_calls', { name }), 0);
      assert.equal(await sample('resilience4j_bulkhead_max_allowed_concurrent_calls', { name }), 1);
      const rejected = await rejection(client.get('/other'));
      assert.deepEqual([rejected.errorName, rejected.status], ['bulkhead-full', 503]);
      assert.equal(slow.hits.length, 1);
      assert.equal(await sample('dependency_bulkhead_rejected_calls_total', { name }), 1);
      release();
      assert.equal((await inFlight).status, 200);
      assert.equal(await sample('resilience4j_bulkhead_available_concurrent_calls', { name }), 1);
    } finally {
      release();
      await slow.close();
    }
  });

  it('with RESILIENCE_MODE off there are no retries and no breaker, but the calls are still timed', async () => {
    const failing = await dependency((_hit, _req, res) => res.writeHead(503).end('down'));
    try {
      const { name, client } = clientFor(failing.url, { ...fast, breaker: { size: 2, minimumCalls: 2, threshold: 0.5 } }, 'off');
      for (let i = 0; i < 5; i += 1) assert.equal((await rejection(client.get('/x'))).errorName, 'dependency-failed');
      assert.equal(failing.hits.length, 5);
      assert.equal(await sample('resilience4j_circuitbreaker_calls_seconds_count', { name, kind: 'failed' }), 5);
      assert.equal(await sample('resilience4j_circuitbreaker_state', { name, state: 'disabled' }), 1);
      assert.equal(await sample('resilience4j_retry_calls_total', { name }), undefined);
      assert.equal(await sample('resilience4j_timelimiter_calls_total', { name }), undefined);
    } finally {
      await failing.close();
    }
  });

  it('exports every outcome of a new dependency at 0 before its first call, so dashboards show 0 rather than no data', async () => {
    const { name } = clientFor('http://127.0.0.1:9', {});
    for (const kind of ['successful', 'failed', 'timeout']) assert.equal(await sample('resilience4j_timelimiter_calls_total', { name, kind }), 0, kind);
    for (const kind of ['successful_without_retry', 'successful_with_retry', 'failed_with_retry', 'failed_without_retry'])
      assert.equal(await sample('resilience4j_retry_calls_total', { name, kind }), 0, kind);
    for (const kind of ['successful', 'failed', 'ignored'])
      assert.equal(await sample('resilience4j_circuitbreaker_calls_seconds_count', { name, kind }), 0, kind);
    assert.equal(await sample('resilience4j_circuitbreaker_not_permitted_calls_total', { name }), 0);
  });

  it('exposes the resilience4j names, counters with _total, and the application label', async () => {
    const failing = await dependency((_hit, _req, res) => res.writeHead(503).end('down'));
    try {
      const { name, client } = clientFor(failing.url, { retry: { maxAttempts: 1 }, breaker: { size: 1, minimumCalls: 1, halfOpenAfterMs: 60_000 } });
      await rejection(client.get('/x'));
      assert.equal((await rejection(client.get('/x'))).errorName, 'circuit-open');
      const text = await registry.metrics();
      for (const metric of [
        'resilience4j_circuitbreaker_state',
        'resilience4j_circuitbreaker_calls_seconds_bucket',
        'resilience4j_circuitbreaker_not_permitted_calls_total',
        'resilience4j_bulkhead_available_concurrent_calls',
        'resilience4j_bulkhead_max_allowed_concurrent_calls',
        'resilience4j_retry_calls_total',
        'resilience4j_timelimiter_calls_total',
      ])
        assert.match(text, new RegExp(`^${metric}\\{(?=[^}]*application="resilience-test")(?=[^}]*name="${name}")`, 'm'), metric);
      assert.match(toPrometheusText(text), /^# TYPE resilience4j_retry_calls_total counter$/m);
    } finally {
      await failing.close();
    }
  });
});
