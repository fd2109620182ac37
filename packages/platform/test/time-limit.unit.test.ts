import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTimeout } from '../src/resilience/policy.js';
import { AttemptTimedOut, withTimeLimit } from '../src/resilience/time-limit.js';

/** An attempt that keeps its signal and never settles by itself, like I/O to a silent peer. */
function hanging() {
  const seen: { signal?: AbortSignal } = {};
  const fn = (signal: AbortSignal) => {
    seen.signal = signal;
    return new Promise<never>(() => undefined);
  };
  return { fn, seen };
}

describe('per-attempt time limit', () => {
  it('rejects as soon as the limit passes, without waiting for the attempt, and aborts its signal', async () => {
    const { fn, seen } = hanging();
    const started = performance.now();
    const error = await withTimeLimit(30, fn).then(
      () => assert.fail('a hanging attempt resolved'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof AttemptTimedOut);
    assert.equal(error.message, 'Operation timed out after 30ms');
    assert.ok(isTimeout(error), 'the policy and the HTTP error mapping know it as a timeout');
    assert.ok(performance.now() - started < 1000);
    assert.equal(seen.signal?.aborted, true);
  });

  it('answers with what the attempt answered, and leaves a finished attempt signal alone', async () => {
    let signal: AbortSignal | undefined;
    const value = await withTimeLimit(20, async (s) => {
      signal = s;
      return 42;
    });
    assert.equal(value, 42);
    await sleep(40);
    assert.equal(signal?.aborted, false);
  });

  it('passes the attempt failure through unchanged, a synchronous throw included', async () => {
    const failure = new Error('connection reset');
    await assert.rejects(
      withTimeLimit(1000, () => Promise.reject(failure)),
      (e) => e === failure,
    );
    await assert.rejects(
      withTimeLimit(1000, () => {
        throw failure;
      }),
      (e) => e === failure,
    );
  });

  it("the caller's abort cancels the attempt at once, before the limit", async () => {
    const { fn, seen } = hanging();
    const caller = new AbortController();
    const pending = withTimeLimit(10_000, fn, caller.signal);
    caller.abort();
    await assert.rejects(pending, AttemptTimedOut);
    assert.equal(seen.signal?.aborted, true);
  });

  it('an attempt under an already aborted caller signal is never started: the dependency is not asked', async () => {
    const { fn, seen } = hanging();
    await assert.rejects(withTimeLimit(10_000, fn, AbortSignal.abort()), AttemptTimedOut);
    assert.equal(seen.signal, undefined);
  });
});
