import assert from 'node:assert/strict';
import { probeControlCharacters } from '../../../packages/platform/test/control-character-probe.js';
import { type OrderLab, startOrderLab } from './support.js';

describe('order: control characters in any text field', () => {
  let lab: OrderLab;
  before(async () => {
    lab = await startOrderLab({});
  });
  after(() => lab?.close());

  it('refuses NUL and ESC in every path, query and body text field its OpenAPI declares with 400 validation-failed naming the field', async () => {
    const cases = await probeControlCharacters(lab.service.url);
    assert.ok(
      cases.some((c) => c.in === 'body' && c.field === 'cardToken'),
      'checkout takes a card token',
    );
    assert.ok(
      cases.some((c) => c.in === 'path'),
      'orders are read by id',
    );
  });
});
