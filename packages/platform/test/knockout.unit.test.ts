import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MECHANISMS as LAB_SIDE } from '../../lab/src/topology/mechanisms.js';
import { createHttpClient } from '../src/http-client.js';
import { ConfigError, createMetrics, KNOCKOUT_MECHANISMS, type Knockout, knockoutSchema, loadConfig } from '../src/index.js';
import { createDependencyPolicy } from '../src/resilience/policy.js';
import { capturingLogger, rejection } from './support.js';

const knockout = (text: string): Knockout => knockoutSchema.parse(text);
const failing = () => Promise.reject(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }));

/** A policy for `dependency` with small windows, optionally with one mechanism knocked out. */
function policy(dependency: string, knocked?: string, deadlineMs = 1000, timeoutMs = 50) {
  const { logger, lines } = capturingLogger();
  const built = createDependencyPolicy({
    name: dependency,
    logger,
    registry: createMetrics(`knockout-${dependency}`).registry,
    deadlineMs,
    knockout: knocked ? knockout(knocked) : undefined,
    settings: {
      timeoutMs,
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 },
      breaker: { size: 4, minimumCalls: 4, halfOpenAfterMs: 60_000 },
      bulkhead: { maxConcurrent: 2, maxQueue: 0 },
    },
  });
  return { policy: built, lines };
}

describe('knock-outs: each removes exactly one mechanism of one dependency', () => {
  it('the platform and the lab name the same mechanisms with the same kind of target', () => {
    assert.deepEqual(KNOCKOUT_MECHANISMS, LAB_SIDE);
  });

  it('FAULTLINE_KNOCKOUT is validated like all config: a bad value stops the boot naming the variable', () => {
    assert.throws(
      () => loadConfig({}, { SERVICE_NAME: 'x', FAULTLINE_KNOCKOUT: 'brakes:providers' }),
      (error: unknown) => error instanceof ConfigError && /FAULTLINE_KNOCKOUT="brakes:providers" is invalid: use <mechanism>:<target>/.test(error.message),
    );
    assert.throws(() => loadConfig({}, { SERVICE_NAME: 'x', FAULTLINE_KNOCKOUT: 'timeout' }), /timeout needs a dependency name/);
    assert.equal(loadConfig({}, { SERVICE_NAME: 'x', FAULTLINE_KNOCKOUT: 'outbox' }).FAULTLINE_KNOCKOUT?.label, 'outbox:relay');
  });

  it('a knock-out that no part of the service owns is refused at boot, listing what the service has', () => {
    const typo = knockout('breaker:provider');
    createDependencyPolicy({ name: 'providers', logger: capturingLogger().logger, registry: createMetrics('ko-typo').registry, knockout: typo });
    assert.throws(() => typo.assertClaimed(), /names no dependency of this service \(it has: providers\)/);
    const right = knockout('breaker:providers');
    createDependencyPolicy({ name: 'providers', logger: capturingLogger().logger, registry: createMetrics('ko-right').registry, knockout: right });
    assert.doesNotThrow(() => right.assertClaimed());
  });

  it('breaker: the intact breaker opens after the window fails; knocked out it never does, the others stay on', async () => {
    for (const [knocked, expected] of [
      [undefined, 'open'],
      ['breaker:dep-b', 'closed'],
      ['breaker:another-dependency', 'open'],
    ] as const) {
      const { policy: p } = policy('dep-b', knocked);
      for (let i = 0; i < 6; i += 1) await p.execute(failing).catch(() => undefined);
      assert.equal(p.state, expected, `with ${knocked ?? 'nothing'} knocked out`);
    }
  });

  it('retry: intact a retryable call is attempted 3 times; knocked out once', async () => {
    for (const [knocked, expected] of [
      [undefined, 3],
      ['retry:dep-r', 1],
    ] as const) {
      const { policy: p } = policy('dep-r', knocked);
      let attempts = 0;
      await p
        .execute(
          () => {
            attempts += 1;
            return failing();
          },
          { retryable: true },
        )
        .catch(() => undefined);
      assert.equal(attempts, expected);
    }
  });

  it('timeout: intact a slow attempt is cut at 50 ms; knocked out it runs to the 300 ms deadline', async () => {
    for (const [knocked, cutBefore] of [
      [undefined, 150],
      ['timeout:dep-t', 400],
    ] as const) {
      const { policy: p } = policy('dep-t', knocked, 300);
      assert.equal(p.settings.timeoutMs, knocked ? 300 : 50);
      const started = performance.now();
      const answer = await p.execute((signal) => sleep(200, 'slow answer', { signal })).catch((error: unknown) => error);
      const took = performance.now() - started;
      assert.ok(took < cutBefore, `took ${took} ms`);
      if (knocked) assert.equal(answer, 'slow answer');
      else assert.equal((answer as { errorName?: string }).errorName, 'dependency-timeout');
    }
  });

  it('bulkhead: intact the third concurrent call is refused; knocked out all five run at once', async () => {
    for (const [knocked, refused] of [
      [undefined, 3],
      ['bulkhead:dep-h', 0],
    ] as const) {
      const { policy: p } = policy('dep-h', knocked);
      const calls = Array.from({ length: 5 }, () =>
        p
          .execute(() => sleep(30, 'ok'))
          .then(
            () => 'ok',
            (error: { errorName?: string }) => error.errorName,
          ),
      );
      const outcomes = await Promise.all(calls);
      assert.equal(outcomes.filter((o) => o === 'bulkhead-full').length, refused);
    }
  });

  it('fallback: intact a failed call is answered by the fallback; knocked out the failure reaches the caller', async () => {
    const intact = policy('dep-f').policy;
    assert.equal(await intact.execute(failing, { fallback: () => 'pending' }), 'pending');
    const knocked = policy('dep-f', 'fallback:dep-f').policy;
    const error = await knocked.execute(failing, { fallback: () => 'pending' }).catch((e: unknown) => e);
    assert.equal((error as Error).message, 'connection reset');
  });

  it('idempotency-key: intact a retried POST repeats its key; knocked out each retry carries a new one', async () => {
    const keys: (string | undefined)[] = [];
    // The first attempt of each call fails as a cut answer would; the second succeeds.
    const server = createServer((req, res) => {
      keys.push(req.headers['idempotency-key'] as string | undefined);
      res.writeHead(keys.length % 2 === 1 ? 503 : 201, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const knocked of [undefined, 'idempotency-key:dep-k']) {
        // Real HTTP on a busy machine: an attempt cut by a 50 ms limit would shift the server's count.
        const { policy: p } = policy('dep-k', knocked, 10_000, 5_000);
        assert.equal(p.keyPerAttempt, Boolean(knocked));
        const client = createHttpClient({ name: 'dep-k', baseUrl, policy: p, logger: capturingLogger().logger });
        assert.equal((await client.post('/v1/charges', { amount: 1 }, { idempotencyKey: 'charge-42' })).status, 201);
      }
      assert.deepEqual(keys, ['charge-42', 'charge-42', 'charge-42', 'charge-42.attempt-2']);
    } finally {
      server.close();
    }
  });

  it('a knock-out is logged loudly and exported as a metric', async () => {
    const { announceKnockout } = await import('../src/knockout.js');
    const { logger, lines } = capturingLogger();
    const metrics = createMetrics('ko-announce');
    announceKnockout(knockout('dead-letter:events'), { logger, metrics });
    assert.ok(lines.some((l) => l['log.level'] === 'warn' && String(l.message).includes('KNOCKED OUT')));
    assert.match(await metrics.registry.metrics(), /faultline_knockout_active\{[^}]*mechanism="dead-letter",target="events"[^}]*\} 1/);
  });
});

describe('knock-outs keep the error a caller sees when nothing is knocked out', () => {
  it('a refused bulkhead call is still a bulkhead-full AppError', async () => {
    const { policy: p } = policy('dep-e');
    const slow = [p.execute(() => sleep(30)), p.execute(() => sleep(30))];
    const error = await rejection(p.execute(() => sleep(1)));
    assert.equal(error.errorName, 'bulkhead-full');
    await Promise.all(slow);
  });
});
