import assert from 'node:assert/strict';
import { evaluate, type Observations } from '../src/expectations/index.js';
import type { GatewayHit } from '../src/gateway-log.js';
import { expectationSchema } from '../src/schema.js';

const T0 = 1_800_000_000;

/** One request a tenth of a second on `path` from `from` to `to` seconds into the run, each taking `ms`. */
const traffic = (path: string, from: number, to: number, ms: number): GatewayHit[] =>
  Array.from({ length: (to - from) * 10 }, (_, i) => ({ at: T0 + from + i / 10, method: 'GET', path, status: 200, durationMs: ms }));

/** A 60 s run with one fault from 10 s to 20 s. */
const observations = (hits: GatewayHit[]): Observations =>
  ({ loadStart: T0, loadEnd: T0 + 60, faults: [{ id: 'fault', start: T0 + 10, end: T0 + 20 }], hits }) as unknown as Observations;

const recovers = expectationSchema.parse({ id: 'recovers', kind: 'recovers', phase: 'after', maxFactor: 2, within: 10 });
const latency = expectationSchema.parse({ id: 'fast', kind: 'latency', phase: 'after', percentile: 'p95', maxMs: 500 });

describe('recovery and latency judge the shoppers’ requests, not the load’s own account set-up', () => {
  it('registrations slowed by password hashing after the fault do not count against recovery', async () => {
    const hits = [...traffic('/api/products', 0, 60, 40), ...traffic('/api/auth/register', 25, 60, 20_000)];
    const result = await evaluate(observations(hits), recovers);
    assert.equal(result.passed, true, result.detail);
    assert.equal(result.measured, 0);
    assert.equal((await evaluate(observations(hits), latency)).passed, true);
  });

  it('the shop itself still slow after the fault fails recovery, for as long as it stays slow', async () => {
    const hits = [...traffic('/api/products', 0, 20, 40), ...traffic('/api/orders', 20, 45, 3_000), ...traffic('/api/orders', 45, 60, 40)];
    const result = await evaluate(observations(hits), recovers);
    assert.equal(result.passed, false);
    assert.equal(result.measured, 25);
    assert.equal((await evaluate(observations(hits), latency)).passed, false);
  });
});
