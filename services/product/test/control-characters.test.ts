import assert from 'node:assert/strict';
import { probeControlCharacters } from '../../../packages/platform/test/control-character-probe.js';
import { type ProductLab, startProduct } from './support.js';

describe('product: control characters in any text field', () => {
  let lab: ProductLab;
  before(async () => {
    lab = await startProduct();
  });
  after(() => lab?.stop());

  it('refuses NUL and ESC in every path, query and body text field its OpenAPI declares with 400 validation-failed naming the field', async () => {
    const cases = await probeControlCharacters(lab.url);
    assert.ok(
      cases.some((c) => c.in === 'body' && c.field === 'name'),
      'the catalog edit names a product',
    );
    assert.ok(
      cases.some((c) => c.in === 'query'),
      'the catalog search has a query',
    );
  });

  it('stores nothing from a refused request', async () => {
    const admin = await lab.token(['admin']);
    const answer = await lab.call('POST', '/v1/products', { body: { name: 'Mug\u0000', description: '', price: 100, stock: 1 }, token: admin });
    assert.equal(answer.status, 400);
    const { rows } = await lab.service.pool.query("SELECT count(*)::int AS n FROM products WHERE name LIKE 'Mug%' AND name <> 'Mug'");
    assert.equal(rows[0].n, 0);
  });
});
