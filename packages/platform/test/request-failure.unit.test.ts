import assert from 'node:assert/strict';
import { createMetrics } from '../src/index.js';
import { createDependencyPolicy } from '../src/resilience/policy.js';
import { capturingLogger } from './support.js';

const cardFailure = Object.assign(new Error('the card network did not answer'), { card: 'tok_processor_error' });
const isCardFailure = (error: unknown) => error === cardFailure;

function policy(name: string) {
  const { registry } = createMetrics(`request-failure-${name}`);
  const built = createDependencyPolicy({
    name,
    logger: capturingLogger().logger,
    registry,
    settings: { retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 }, breaker: { size: 4, minimumCalls: 4, halfOpenAfterMs: 60_000 } },
  });
  return { policy: built, registry };
}

describe('a failure tied to one request (one poisoned card) is that request’s, not the dependency’s', () => {
  it('is neither retried nor counted against the breaker, and reaches the caller as it was', async () => {
    const { policy: p, registry } = policy('processor');
    let attempts = 0;
    for (let i = 0; i < 10; i += 1) {
      const error = await p
        .execute(
          () => {
            attempts += 1;
            return Promise.reject(cardFailure);
          },
          { retryable: true, isRequestFailure: isCardFailure, fallback: () => 'fallback' },
        )
        .catch((e: unknown) => e);
      assert.equal(error, cardFailure, 'the caller sees the failure itself, not a fallback or a wrapper');
    }
    assert.equal(attempts, 10, 'one attempt per call');
    assert.equal(p.state, 'closed');
    assert.match(await registry.metrics(), /resilience4j_circuitbreaker_calls_seconds_count\{[^}]*name="processor"[^}]*kind="ignored"[^}]*\} 10/);
  });

  it('the same failure without the classification is retried and opens the breaker', async () => {
    const { policy: p } = policy('processor-unclassified');
    let attempts = 0;
    const call = () =>
      p.execute(
        () => {
          attempts += 1;
          return Promise.reject(cardFailure);
        },
        { retryable: true },
      );
    await call().catch(() => undefined);
    assert.equal(attempts, 3, 'the first call is attempted three times');
    await call().catch(() => undefined);
    assert.equal(p.state, 'open', 'four failed attempts fill the window: the breaker opens for everyone');
  });
});
