import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { serve, unique } from '../../lab/test/support.js';
import { createHttpClient, type HttpClientOptions } from '../src/http-client.js';
import { AppError, createMetrics } from '../src/index.js';
import { createDependencyPolicy } from '../src/resilience/policy.js';
import type { PolicySettingsInput, ResilienceMode } from '../src/resilience/settings.js';
import { capturingLogger, rejection } from './support.js';

const { registry } = createMetrics('http-client-test');

interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  remotePort: number | undefined;
}

/** A local dependency that records every request it gets and answers with `answer`. */
async function dependency(answer: (hit: Hit, res: ServerResponse) => void) {
  const hits: Hit[] = [];
  const server = await serve(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, remotePort: req.socket.remotePort };
    hits.push(hit);
    answer(hit, res);
  });
  return { ...server, hits };
}

const json = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
};

function clientFor(baseUrl: string, settings: PolicySettingsInput = {}, mode: ResilienceMode = 'on', extra: Partial<HttpClientOptions> = {}) {
  const name = `dep-${unique()}`;
  const { logger, lines } = capturingLogger();
  const policy = createDependencyPolicy({
    name,
    settings: { retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 }, ...settings },
    mode,
    logger,
    registry,
  });
  return { name, lines, client: createHttpClient({ name, baseUrl, policy, logger, ...extra }) };
}

describe('HTTP client of a dependency', () => {
  it('sends JSON with the query, and returns the status and the parsed answer', async () => {
    const echo = await dependency((hit, res) => json(res, 201, { got: JSON.parse(hit.body), url: hit.url, type: hit.headers['content-type'] }));
    try {
      const { client } = clientFor(`${echo.url}/api/`);
      const answer = await client.post<{ got: unknown; url: string; type: string }>(
        '/orders',
        { sku: 'A-1', quantity: 2 },
        { query: { dryRun: true, skip: undefined } },
      );
      assert.equal(answer.status, 201);
      assert.deepEqual(answer.body, { got: { sku: 'A-1', quantity: 2 }, url: '/api/orders?dryRun=true', type: 'application/json' });
    } finally {
      await echo.close();
    }
  });

  it('reuses kept-alive connections for calls in a row', async () => {
    const server = await dependency((_hit, res) => json(res, 200, {}));
    try {
      const { client } = clientFor(server.url);
      for (let i = 0; i < 6; i += 1) await client.get('/ping');
      // undici may open a second socket before the first is back in its pool, then reuses both.
      assert.ok(new Set(server.hits.map((h) => h.remotePort)).size <= 2);
    } finally {
      await server.close();
    }
  });

  it('turns a problem+json answer back into the dependency’s error: name, status, detail and extensions', async () => {
    const problem = { type: 'urn:faultline:problem:stock-conflict', title: 'Conflict', status: 409, name: 'stock-conflict', detail: 'only 1 left', sku: 'A-1' };
    const server = await dependency((_hit, res) => json(res, 409, problem, 'application/problem+json'));
    try {
      const { name, client } = clientFor(server.url);
      const error = await rejection(client.put('/reservations/r1', { sku: 'A-1' }));
      assert.deepEqual([error.errorName, error.status, error.message, error.detail], ['stock-conflict', 409, 'Conflict', 'only 1 left']);
      assert.deepEqual(error.extensions, { dependency: name, sku: 'A-1' });
      assert.equal(server.hits.length, 1);
    } finally {
      await server.close();
    }
  });

  it('a 5xx problem keeps its name but is retried; a plain 5xx becomes dependency-failed, without the query', async () => {
    const server = await dependency((hit, res) =>
      hit.url.startsWith('/plain')
        ? json(res, 500, 'oops', 'text/plain')
        : json(
            res,
            503,
            { type: 'urn:faultline:problem:service-unavailable', title: 'Service unavailable', status: 503, name: 'service-unavailable' },
            'application/problem+json',
          ),
    );
    try {
      const { name, client } = clientFor(server.url);
      const unavailable = await rejection(client.get('/problem'));
      assert.deepEqual([unavailable.errorName, unavailable.status], ['service-unavailable', 503]);
      assert.equal(server.hits.length, 3);
      const plain = await rejection(client.get('/plain', { query: { email: 'someone@example.com' } }));
      assert.deepEqual([plain.errorName, plain.status, plain.extensions.dependency], ['dependency-failed', 502, name]);
      assert.match(plain.detail ?? '', /GET \/plain answered 500/);
      assert.doesNotMatch(plain.detail ?? '', /someone/);
    } finally {
      await server.close();
    }
  });

  it('an unreachable dependency is a dependency-failed error naming the network failure', async () => {
    const gone = await serve(() => {});
    await gone.close();
    const { client } = clientFor(gone.url, { retry: { maxAttempts: 1 } });
    const error = await rejection(client.get('/x'));
    assert.equal(error.errorName, 'dependency-failed');
    assert.match(error.detail ?? '', /ECONNREFUSED/);
  });

  it('a POST without an idempotency key is sent once; with a key it is retried and every attempt carries the key', async () => {
    const server = await dependency((_hit, res) => json(res, 503, 'busy', 'text/plain'));
    try {
      const { client } = clientFor(server.url);
      await rejection(client.post('/charges', { amount: 100 }));
      assert.equal(server.hits.length, 1);
      assert.equal(server.hits[0]?.headers['idempotency-key'], undefined);
      await rejection(client.post('/charges', { amount: 100 }, { idempotencyKey: 'charge-42' }));
      assert.deepEqual(
        server.hits.slice(1).map((h) => h.headers['idempotency-key']),
        ['charge-42', 'charge-42', 'charge-42'],
      );
    } finally {
      await server.close();
    }
  });

  it('a fallback answers when the dependency fails, but a 4xx answer is still an error', async () => {
    const server = await dependency((hit, res) =>
      hit.url === '/declined'
        ? json(
            res,
            422,
            { type: 'urn:faultline:problem:payment-declined', title: 'Declined', status: 422, name: 'payment-declined' },
            'application/problem+json',
          )
        : json(res, 503, 'down', 'text/plain'),
    );
    try {
      const { name, client, lines } = clientFor(server.url, { retry: { maxAttempts: 1 } });
      const fallback = () => ({ status: 200, body: [] as string[], headers: new Headers() });
      assert.deepEqual((await client.get<string[]>('/recommendations', { fallback })).body, []);
      assert.ok(lines.some((l) => l.message === 'fallback served' && l.dependency === name));
      assert.equal((await rejection(client.get<string[]>('/declined', { fallback }))).errorName, 'payment-declined');
    } finally {
      await server.close();
    }
  });

  it('the call deadline bounds a hanging call even with resilience off', async () => {
    const hanging = await serve(() => {});
    try {
      const { client } = clientFor(hanging.url, {}, 'off', { defaultTimeoutMs: 200 });
      const started = performance.now();
      const error = await rejection(client.get('/hang'));
      assert.deepEqual([error.errorName, error.status], ['dependency-timeout', 504]);
      assert.ok(performance.now() - started < 1_000);
    } finally {
      await hanging.close();
    }
  });

  describe('trace propagation', () => {
    let provider: NodeTracerProvider;

    before(() => {
      provider = new NodeTracerProvider();
      provider.register({ propagator: new W3CTraceContextPropagator() });
    });

    after(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    });

    it('the W3C traceparent of the active trace reaches the dependency, with the client span as parent', async () => {
      const server = await dependency((_hit, res) => json(res, 200, {}));
      try {
        const { client } = clientFor(server.url);
        await client.get('/untraced');
        const { traceId, spanId } = await trace.getTracer('test').startActiveSpan('checkout', async (span) => {
          await client.get('/traced');
          span.end();
          return span.spanContext();
        });
        // Outside any span the client's own span starts a new trace; inside one, it continues it,
        // and the dependency's parent is the client span, not the caller's.
        assert.doesNotMatch(String(server.hits[0]?.headers.traceparent), new RegExp(traceId));
        const sent = String(server.hits[1]?.headers.traceparent);
        assert.match(sent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
        assert.notEqual(sent.split('-')[2], spanId);
      } finally {
        await server.close();
      }
    });
  });
});

describe('HTTP client with a service token', () => {
  it('sends the source’s token as the bearer of every call, asking the source per call', async () => {
    const echo = await dependency((hit, res) => json(res, 200, { authorization: hit.headers.authorization }));
    let asked = 0;
    try {
      const { client } = clientFor(echo.url, {}, 'on', {
        serviceToken: async () => {
          asked += 1;
          return `token-${asked}`;
        },
      });
      assert.deepEqual((await client.get<{ authorization: string }>('/x')).body, { authorization: 'Bearer token-1' });
      assert.deepEqual((await client.post<{ authorization: string }>('/y', {}, { idempotencyKey: 'k' })).body, { authorization: 'Bearer token-2' });
    } finally {
      await echo.close();
    }
  });

  it('a token that cannot be had fails the call without reaching the dependency, retrying it or counting it against the breaker', async () => {
    const echo = await dependency((_hit, res) => json(res, 200, {}));
    try {
      const { client, name } = clientFor(echo.url, { breaker: { threshold: 0.5, size: 4, minimumCalls: 2, halfOpenAfterMs: 10_000 } }, 'on', {
        serviceToken: async () => {
          throw new AppError('service-token-unavailable', 503, 'Service token unavailable');
        },
      });
      for (let i = 0; i < 5; i += 1) assert.equal((await rejection(client.get('/x'))).errorName, 'service-token-unavailable');
      assert.equal(echo.hits.length, 0);
      const metrics = await registry.metrics();
      const open = metrics
        .split('\n')
        .find((l) => l.startsWith('resilience4j_circuitbreaker_state') && l.includes(`name="${name}"`) && l.includes('state="open"'));
      assert.ok(open?.endsWith(' 0'), `breaker stayed closed: ${open}`);
    } finally {
      await echo.close();
    }
  });
});
