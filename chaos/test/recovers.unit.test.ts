import assert from 'node:assert/strict';
import { evaluate, type Observations } from '../src/expectations/index.js';
import type { GatewayHit } from '../src/gateway-log.js';
import { expectationSchema } from '../src/schema.js';

const T0 = 1_800_000_000;

/** One request a tenth of a second on `path` from `from` to `to` seconds into the run, each taking `ms`. */
const traffic = (path: string, from: number, to: number, ms: number): GatewayHit[] =>
  Array.from({ length: (to - from) * 10 }, (_, i) => ({ at: T0 + from + i / 10, method: 'GET', path, status: 200, durationMs: ms }));

/** k6 starts shoppers for 50 s and exits at 58 s (it waits for the requests under way); one fault from 10 s to 20 s. */
const observations = (hits: GatewayHit[]): Observations =>
  ({
    experiment: { load: { duration: 50 } },
    loadStart: T0,
    loadEnd: T0 + 58,
    faults: [{ id: 'fault', start: T0 + 10, end: T0 + 20 }],
    hits,
  }) as unknown as Observations;

const recovers = expectationSchema.parse({ id: 'recovers', kind: 'recovers', phase: 'after', maxFactor: 2, within: 10 });
const latency = expectationSchema.parse({ id: 'fast', kind: 'latency', phase: 'after', percentile: 'p95', maxMs: 500 });

describe('recovery and latency judge the shop under steady load', () => {
  it('the slow stragglers answered after k6 stopped starting shoppers do not count against recovery', async () => {
    const hits = [...traffic('/api/products', 0, 50, 40), ...traffic('/api/orders', 50, 58, 5_000)];
    const result = await evaluate(observations(hits), recovers);
    assert.equal(result.passed, true, result.detail);
    assert.equal(result.measured, 0);
  });

  it('the shop itself still slow after the fault fails recovery, for as long as it stays slow', async () => {
    const hits = [...traffic('/api/products', 0, 20, 40), ...traffic('/api/orders', 20, 38, 3_000), ...traffic('/api/orders', 38, 50, 40)];
    const result = await evaluate(observations(hits), recovers);
    assert.equal(result.passed, false);
    assert.equal(result.measured, 18);
    assert.equal((await evaluate(observations(hits), latency)).passed, false);
  });

  it("an absolute latency bound is not failed by registrations, the load's own set-up slowed by password hashing", async () => {
    const hits = [...traffic('/api/products', 0, 50, 40), ...traffic('/api/auth/register', 25, 50, 20_000)];
    assert.equal((await evaluate(observations(hits), latency)).passed, true);
  });
});
