import assert from 'node:assert/strict';
import { z } from 'zod';
import { AppError, ConfigError, errors, loadConfig } from '../src/index.js';
import { startService } from './support.js';

const itemSchema = z.object({ name: z.string().min(1), quantity: z.number().int().positive() });

describe('a service built with the platform kit', () => {
  let lab: Awaited<ReturnType<typeof startService>>;
  before(async () => {
    lab = await startService((app) => {
      app.get('/v1/items/:id', (req, res) => {
        if (req.params.id === 'missing') throw new AppError('item-not-found', 404, 'Item not found', { detail: 'no item missing' });
        res.json({ id: req.params.id });
      });
      app.post('/v1/items', (req, res) => {
        const item = itemSchema.parse(req.body);
        res.status(201).json(item);
      });
      app.get('/v1/dependency/:failure', (req) => {
        if (req.params.failure === 'circuit') throw errors.circuitOpen('payment', 3);
        if (req.params.failure === 'bulkhead') throw errors.bulkheadFull('payment');
        throw errors.dependencyTimeout('payment', 300);
      });
      app.get('/v1/boom', async () => {
        await Promise.resolve();
        throw new Error('database password=hunter2 leaked into an internal message');
      });
    });
  });
  after(() => lab.close());

  const problem = async (response: Response) => {
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    return (await response.json()) as { name: string; status: number; title: string; detail?: string; issues?: unknown[] };
  };

  it('answers a thrown AppError with its status and stable name as problem+json', async () => {
    const response = await fetch(`${lab.url}/v1/items/missing`);
    assert.equal(response.status, 404);
    const body = await problem(response);
    assert.equal(body.name, 'item-not-found');
    assert.equal(body.detail, 'no item missing');
  });

  it('turns malformed JSON into 400 malformed-json', async () => {
    const response = await fetch(`${lab.url}/v1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' });
    assert.equal(response.status, 400);
    assert.equal((await problem(response)).name, 'malformed-json');
  });

  it('turns a schema violation into 400 validation-failed naming the field', async () => {
    const response = await fetch(`${lab.url}/v1/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', quantity: -1 }),
    });
    assert.equal(response.status, 400);
    const body = await problem(response);
    assert.equal(body.name, 'validation-failed');
    assert.match(JSON.stringify(body.issues), /quantity/);
  });

  it('refuses an oversized body with 413 and a non-JSON body with 415', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(200_000), quantity: 1 });
    const tooLarge = await fetch(`${lab.url}/v1/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(tooLarge.status, 413);
    assert.equal((await problem(tooLarge)).name, 'payload-too-large');
    const text = await fetch(`${lab.url}/v1/items`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name=x' });
    assert.equal(text.status, 415);
    assert.equal((await problem(text)).name, 'unsupported-media-type');
  });

  it('answers a broken circuit and a full bulkhead with 503 and Retry-After, and a dependency timeout with 504', async () => {
    const circuit = await fetch(`${lab.url}/v1/dependency/circuit`);
    assert.equal(circuit.status, 503);
    assert.equal(circuit.headers.get('retry-after'), '3');
    assert.equal((await problem(circuit)).name, 'circuit-open');
    const bulkhead = await fetch(`${lab.url}/v1/dependency/bulkhead`);
    assert.equal(bulkhead.status, 503);
    assert.ok(Number(bulkhead.headers.get('retry-after')) >= 1);
    assert.equal((await problem(bulkhead)).name, 'bulkhead-full');
    const timeout = await fetch(`${lab.url}/v1/dependency/timeout`);
    assert.equal(timeout.status, 504);
    assert.equal((await problem(timeout)).name, 'dependency-timeout');
  });

  it('answers an unknown route with 404 route-not-found', async () => {
    const response = await fetch(`${lab.url}/v1/nothing-here`);
    assert.equal(response.status, 404);
    assert.equal((await problem(response)).name, 'route-not-found');
  });

  it('answers an unexpected async error with 500 and no internals, and logs it', async () => {
    const response = await fetch(`${lab.url}/v1/boom`);
    assert.equal(response.status, 500);
    const text = JSON.stringify(await problem(response));
    assert.doesNotMatch(text, /hunter2|password|stack|at /);
    const logged = lab.lines.find((l) => l.message === 'request failed');
    assert.ok(logged, 'the failure is logged');
    assert.doesNotMatch(JSON.stringify(logged), /hunter2/);
  });

  it('records RED metrics by route template, never the raw path', async () => {
    await fetch(`${lab.url}/v1/items/abc-123`);
    const text = await (await fetch(`${lab.url}/metrics`)).text();
    const count = text
      .split('\n')
      .find((line) => line.startsWith('http_server_requests_seconds_count{') && line.includes('route="/v1/items/:id"') && line.includes('status_code="200"'));
    assert.ok(count, 'a count series for the route template');
    assert.match(count, /method="GET"/);
    assert.match(count, /application="test-service"/);
    assert.match(count, /\} [1-9]\d*$/);
    assert.doesNotMatch(text, /abc-123/);
    assert.match(text, /process_cpu_user_seconds_total/);
  });
});

describe('service configuration', () => {
  it('names every invalid or missing variable', () => {
    assert.throws(
      () => loadConfig({ DATABASE_URL: z.string().url() }, { SERVICE_NAME: 'order', PORT: 'eighty' }),
      (error: unknown) => error instanceof ConfigError && /PORT="eighty" is invalid/.test(error.message) && /DATABASE_URL is required/.test(error.message),
    );
  });

  it('applies defaults where they are safe', () => {
    const config = loadConfig({}, { SERVICE_NAME: 'order' });
    assert.equal(config.RESILIENCE_MODE, 'on');
    assert.equal(config.LOG_LEVEL, 'info');
  });
});
