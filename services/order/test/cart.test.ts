import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type OrderLab, startOrderLab } from './support.js';

describe('the cart', () => {
  let lab: OrderLab;
  let token: string;
  const product = randomUUID();

  before(async () => {
    lab = await startOrderLab({});
    token = await lab.tokens.sign(randomUUID());
  });
  after(() => lab?.close());

  it('is per user: set, change, remove (quantity 0) and empty', async () => {
    const other = await lab.tokens.sign(randomUUID());
    assert.deepEqual((await lab.call('GET', '/v1/cart', { token })).body, { items: [] });
    await lab.call('PUT', `/v1/cart/items/${product}`, { token, body: { quantity: 2 } });
    const changed = await lab.call('PUT', `/v1/cart/items/${product}`, { token, body: { quantity: 5 } });
    assert.deepEqual(changed.body, { items: [{ productId: product, quantity: 5 }] });
    assert.deepEqual((await lab.call('GET', '/v1/cart', { token: other })).body, { items: [] });
    const removed = await lab.call('PUT', `/v1/cart/items/${product}`, { token, body: { quantity: 0 } });
    assert.deepEqual(removed.body, { items: [] });
    await lab.call('PUT', `/v1/cart/items/${product}`, { token, body: { quantity: 1 } });
    assert.equal((await lab.call('DELETE', '/v1/cart', { token })).status, 204);
    assert.deepEqual((await lab.call('GET', '/v1/cart', { token })).body, { items: [] });
  });

  it('names what is wrong with a bad line, and refuses strangers', async () => {
    const tooMany = await lab.call('PUT', `/v1/cart/items/${product}`, { token, body: { quantity: 101 } });
    assert.equal(tooMany.status, 400);
    assert.match(String(tooMany.body.detail), /quantity/);
    assert.equal((await lab.call('PUT', '/v1/cart/items/not-a-uuid', { token, body: { quantity: 1 } })).status, 400);
    assert.equal((await lab.call('GET', '/v1/cart')).status, 401);
  });

  it('holds at most 50 products', async () => {
    const full = await lab.tokens.sign(randomUUID());
    for (let i = 0; i < 50; i += 1) await lab.call('PUT', `/v1/cart/items/${randomUUID()}`, { token: full, body: { quantity: 1 } });
    const refused = await lab.call('PUT', `/v1/cart/items/${randomUUID()}`, { token: full, body: { quantity: 1 } });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.name, 'cart-full');
  });
});
