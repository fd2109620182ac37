import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '@faultline/platform';
import { configShape, providersPolicySettings } from '../src/config.js';

const env = {
  SERVICE_NAME: 'payment',
  DATABASE_URL: 'postgres://x@127.0.0.1/payment',
  PROVIDERS_URL: 'http://127.0.0.1:1',
  JWKS_URL: 'http://127.0.0.1:2/jwks',
};

describe('payment: configuration', () => {
  it('builds the providers policy from PROVIDERS_* variables, with defaults for the rest', () => {
    const settings = providersPolicySettings(
      loadConfig(configShape, { ...env, PROVIDERS_TIMEOUT_MS: '750', PROVIDERS_BREAKER_WINDOW: '8', PROVIDERS_BREAKER_MIN_CALLS: '4' }),
    );
    assert.equal(settings.timeoutMs, 750);
    assert.deepEqual(settings.breaker, { threshold: 0.5, size: 8, minimumCalls: 4, halfOpenAfterMs: 5000 });
    assert.deepEqual(settings.retry, { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 });
  });

  it('names the variable when a setting is missing, invalid, or does not fit the others', () => {
    assert.throws(
      () => loadConfig(configShape, { ...env, PROVIDERS_URL: undefined }),
      (error: unknown) => error instanceof ConfigError && /PROVIDERS_URL/.test(error.message),
    );
    assert.throws(
      () => loadConfig(configShape, { ...env, PROVIDERS_BREAKER_THRESHOLD: '2' }),
      (error: unknown) => error instanceof ConfigError && /PROVIDERS_BREAKER_THRESHOLD/.test(error.message),
    );
    const config = loadConfig(configShape, { ...env, PROVIDERS_RETRY_INITIAL_DELAY_MS: '5000' });
    assert.throws(
      () => providersPolicySettings(config),
      (error: unknown) => error instanceof ConfigError && /PROVIDERS_\* policy setting retry\.initialDelayMs/.test(error.message),
    );
  });
});
