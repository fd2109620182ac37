import assert from 'node:assert/strict';
import { baseConfigShape, buildDependencies, type DependencyDeclarations, dependencyConfigShape, loadConfig, mergeSettings } from '../src/index.js';
import { createMetrics } from '../src/metrics.js';
import { captureLogger } from './data-support.js';

const DECLARED = {
  catalog: { description: 'a test dependency', policy: { bulkhead: { maxConcurrent: 3, maxQueue: 1 } }, deadlineMs: 4000 },
  mail_sink: { description: 'another one' },
} as const satisfies DependencyDeclarations;
const shape = { ...baseConfigShape, ...dependencyConfigShape(DECLARED) };
const env = { SERVICE_NAME: 'tester', CATALOG_URL: 'http://127.0.0.1:1', MAIL_SINK_URL: 'http://127.0.0.1:2' };

describe('platform: declared dependencies', () => {
  it('merges settings field by field: nested objects merged, everything else replaced', () => {
    assert.deepEqual(mergeSettings({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { d: 4 }, e: [2], f: 5 }), { a: 1, b: { c: 2, d: 4 }, e: [2], f: 5 });
  });

  it('reads <NAME>_URL, <NAME>_POLICY over the declared policy, and <NAME>_DEADLINE_MS with one default', () => {
    const config = loadConfig(shape, { ...env, CATALOG_POLICY: '{"timeoutMs":700,"bulkhead":{"maxQueue":4}}' });
    assert.equal(config.CATALOG_URL, 'http://127.0.0.1:1');
    assert.equal(config.CATALOG_POLICY.timeoutMs, 700);
    assert.deepEqual(config.CATALOG_POLICY.bulkhead, { maxConcurrent: 3, maxQueue: 4 });
    assert.equal(config.CATALOG_DEADLINE_MS, 4000);
    assert.equal(config.MAIL_SINK_DEADLINE_MS, 8000);
    assert.deepEqual(config.MAIL_SINK_POLICY.bulkhead, { maxConcurrent: 25, maxQueue: 10 });
  });

  it('refuses a name that cannot name variables', () => {
    assert.throws(() => dependencyConfigShape({ 'mail-sink': { description: 'x' } }), /lower-case letters/);
  });

  it('refuses a missing URL, bad JSON, a non-object and an invalid setting, naming the variable', () => {
    const fails = (extra: Record<string, string | undefined>, pattern: RegExp) =>
      assert.throws(
        () => loadConfig(shape, { ...env, ...extra }),
        (error: unknown) => error instanceof Error && pattern.test(error.message),
      );
    fails({ CATALOG_URL: undefined }, /CATALOG_URL/);
    fails({ CATALOG_POLICY: '{timeoutMs:1}' }, /CATALOG_POLICY.*not valid JSON/s);
    fails({ CATALOG_POLICY: '[1]' }, /CATALOG_POLICY.*JSON object/s);
    fails({ MAIL_SINK_POLICY: '{"retry":{"maxAttempts":0}}' }, /MAIL_SINK_POLICY.*maxAttempts/s);
    fails({ CATALOG_DEADLINE_MS: 'soon' }, /CATALOG_DEADLINE_MS/);
  });

  it('builds one client and one policy per declaration, each configured by its own variables', () => {
    const config = loadConfig(shape, { ...env, MAIL_SINK_POLICY: '{"bulkhead":{"maxConcurrent":2}}' });
    const registry = createMetrics('tester').registry;
    const built = buildDependencies(DECLARED, config, { logger: captureLogger().logger, metrics: { registry } });
    assert.deepEqual(Object.keys(built).sort(), ['catalog', 'mail_sink']);
    assert.equal(built.catalog.policy.settings.bulkhead.maxConcurrent, 3);
    assert.equal(built.mail_sink.policy.settings.bulkhead.maxConcurrent, 2);
  });
});
