import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@faultline/platform';
import { configShape } from '../src/config.js';

const env = {
  SERVICE_NAME: 'payment',
  DATABASE_URL: 'postgres://x@127.0.0.1/payment',
  PROVIDERS_URL: 'http://127.0.0.1:1',
  JWKS_URL: 'http://127.0.0.1:2/jwks',
};

describe('payment: configuration', () => {
  it('builds the providers policy from PROVIDERS_POLICY merged over the declared one, with defaults for the rest', () => {
    const config = loadConfig(configShape, { ...env, PROVIDERS_POLICY: '{"timeoutMs":750,"breaker":{"size":8,"minimumCalls":4}}' });
    assert.equal(config.PROVIDERS_POLICY.timeoutMs, 750);
    assert.deepEqual(config.PROVIDERS_POLICY.breaker, { threshold: 0.5, size: 8, minimumCalls: 4, halfOpenAfterMs: 5000 });
    // maxDelayMs 1000 is payment's declaration; the rest are the platform's defaults.
    assert.deepEqual(config.PROVIDERS_POLICY.retry, { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, exponent: 2 });
    assert.equal(config.PROVIDERS_DEADLINE_MS, 8000);
  });

  it('names the variable when a setting is missing, invalid, or does not fit the others', () => {
    assert.throws(
      () => loadConfig(configShape, { ...env, PROVIDERS_URL: undefined }),
      (error: unknown) => error instanceof ConfigError && /PROVIDERS_URL/.test(error.message),
    );
    assert.throws(
      () => loadConfig(configShape, { ...env, PROVIDERS_POLICY: '{"breaker":{"threshold":2}}' }),
      (error: unknown) => error instanceof ConfigError && /PROVIDERS_POLICY.*breaker.*threshold/s.test(error.message),
    );
    assert.throws(
      () => loadConfig(configShape, { ...env, PROVIDERS_POLICY: '{"retry":{"initialDelayMs":5000}}' }),
      (error: unknown) => error instanceof ConfigError && /PROVIDERS_POLICY.*initialDelayMs/s.test(error.message),
    );
    assert.throws(
      () => loadConfig(configShape, { ...env, PROVIDERS_POLICY: 'timeoutMs=750' }),
      (error: unknown) => error instanceof ConfigError && /PROVIDERS_POLICY.*not valid JSON/s.test(error.message),
    );
    assert.throws(
      () => loadConfig(configShape, { ...env, PROVIDERS_DEADLINE_MS: '0' }),
      (error: unknown) => error instanceof ConfigError && /PROVIDERS_DEADLINE_MS/.test(error.message),
    );
  });
});
