import assert from 'node:assert/strict';
import { probeControlCharacters } from '../../../packages/platform/test/control-character-probe.js';
import { startProviders } from './support.js';

describe('providers: control characters in any text field', () => {
  let providers: Awaited<ReturnType<typeof startProviders>>;
  before(async () => {
    providers = await startProviders();
  });
  after(() => providers?.stop());

  it('refuses NUL and ESC in every path, query and body text field its OpenAPI declares with 400 validation-failed naming the field', async () => {
    const cases = await probeControlCharacters(providers.url);
    assert.ok(
      cases.some((c) => c.in === 'body' && c.field === 'body'),
      'a message has a body',
    );
  });
});
