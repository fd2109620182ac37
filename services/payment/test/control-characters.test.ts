import assert from 'node:assert/strict';
import { probeControlCharacters } from '../../../packages/platform/test/control-character-probe.js';
import { type Stack, startStack } from './support.js';

describe('payment: control characters in any text field', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack?.stop());

  it('refuses NUL and ESC in every path, query and body text field its OpenAPI declares with 400 validation-failed naming the field', async () => {
    const cases = await probeControlCharacters(stack.payment.url);
    assert.ok(
      cases.some((c) => c.in === 'body' && c.field === 'cardToken'),
      'a charge has a card token',
    );
  });
});
