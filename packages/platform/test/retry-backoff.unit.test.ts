import assert from 'node:assert/strict';
import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import { AppError, errors } from '../src/errors.js';
import { parseRetryAfter } from '../src/http-client.js';
import { isIgnoredFailure, isTransientFailure, retryDelayMs } from '../src/resilience/policy.js';
import { DEFAULT_POLICY_SETTINGS, policySettingsSchema } from '../src/resilience/settings.js';

const retry = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1_000, exponent: 2 };

describe('retry backoff maths', () => {
  it('grows exponentially, with equal jitter between half and all of the exponential delay', () => {
    assert.deepEqual(
      [1, 2, 3].map((n) => retryDelayMs(retry, n, undefined, () => 0)),
      [50, 100, 200],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => retryDelayMs(retry, n, undefined, () => 0.999_999)),
      [100, 200, 400],
    );
  });

  it('never waits longer than maxDelayMs', () => {
    assert.equal(
      retryDelayMs(retry, 10, undefined, () => 0.999_999),
      1_000,
    );
    assert.equal(
      retryDelayMs(retry, 10, undefined, () => 0),
      500,
    );
  });

  it('waits at least what Retry-After asks, capped by maxDelayMs', () => {
    assert.equal(
      retryDelayMs(retry, 1, 700, () => 0),
      700,
    );
    assert.equal(
      retryDelayMs(retry, 1, 5_000, () => 0),
      1_000,
    );
    assert.equal(
      retryDelayMs(retry, 3, 10, () => 0),
      200,
    );
  });

  it('reads Retry-After as delay-seconds or as an HTTP date, and ignores what it cannot read', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('1', now), 1);
    assert.equal(parseRetryAfter(' 120 ', now), 120);
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now), 3);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });
});

describe('which failures are retried and counted', () => {
  it('retries timeouts, network failures, 429 and 5xx answers', () => {
    assert.ok(isTransientFailure(errors.dependencyTimeout('payment', 300)));
    assert.ok(isTransientFailure(errors.dependencyFailed('payment', 'ECONNREFUSED')));
    assert.ok(isTransientFailure(new AppError('too-many-requests', 429, 'Slow down')));
    assert.ok(isTransientFailure(new TypeError('fetch failed')));
  });

  it('never retries a 4xx answer or its own breaker and bulkhead rejections', () => {
    assert.ok(!isTransientFailure(new AppError('payment-declined', 422, 'Declined')));
    assert.ok(!isTransientFailure(errors.notFound('order')));
    assert.ok(!isTransientFailure(new BrokenCircuitError()));
    assert.ok(!isTransientFailure(new BulkheadRejectedError(1, 0)));
  });

  it('a 4xx answer but 429 is ignored by the breaker', () => {
    assert.ok(isIgnoredFailure(new AppError('payment-declined', 422, 'Declined')));
    assert.ok(!isIgnoredFailure(new AppError('too-many-requests', 429, 'Slow down')));
    assert.ok(!isIgnoredFailure(errors.dependencyFailed('payment', '503')));
  });
});

describe('policy settings', () => {
  it('fill every field from the defaults, also inside a partly given section', () => {
    const settings = policySettingsSchema.parse({ retry: { maxAttempts: 5 } });
    assert.deepEqual(settings.retry, { ...DEFAULT_POLICY_SETTINGS.retry, maxAttempts: 5 });
    assert.deepEqual(settings.breaker, DEFAULT_POLICY_SETTINGS.breaker);
  });

  it('reject settings the policies cannot honour, naming the field', () => {
    const bad = policySettingsSchema.safeParse({ retry: { initialDelayMs: 5_000, maxDelayMs: 100 }, breaker: { threshold: 1 } });
    assert.ok(!bad.success);
    const paths = bad.error.issues.map((issue) => issue.path.join('.'));
    assert.ok(paths.includes('breaker.threshold'), paths.join(', '));
    assert.ok(policySettingsSchema.safeParse({ breaker: { size: 5, minimumCalls: 6 } }).success === false);
  });
});
