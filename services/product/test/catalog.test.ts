import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DEMO_MUG, DEMO_PLUSH, type ProductLab, startProduct } from './support.js';

describe('the catalog', () => {
  let lab: ProductLab;
  before(async () => {
    lab = await startProduct();
  });
  after(() => lab?.stop());

  it('starts with the twelve demo products at their fixed ids, readable without a token', async () => {
    const page = await lab.call('GET', '/v1/products?limit=100');
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 12);
    const ids = page.body.items.map((p: { id: string }) => p.id);
    assert.ok(ids.includes(DEMO_MUG) && ids.includes(DEMO_PLUSH));
    const plush = await lab.call('GET', `/v1/products/${DEMO_PLUSH}`);
    assert.equal(plush.status, 200);
    assert.deepEqual(
      { name: plush.body.name, price: plush.body.price, currency: plush.body.currency, stock: plush.body.stock, available: plush.body.available },
      { name: 'Chaos Monkey Plush', price: 2990, currency: 'EUR', stock: 5, available: 5 },
    );
  });

  it('searches name and description case-insensitively, treating % and _ literally', async () => {
    await lab.addProduct({ name: 'Zebra Lamp', description: 'A striped lamp', stock: 1 });
    await lab.addProduct({ name: 'Desk', description: 'Goes well with a ZEBRA rug', stock: 1 });
    await lab.addProduct({ name: '100% Cotton Shirt', stock: 1 });
    const zebra = await lab.call('GET', '/v1/products?q=zebra');
    assert.deepEqual(
      zebra.body.items.map((p: { name: string }) => p.name),
      ['Desk', 'Zebra Lamp'],
    );
    assert.equal(zebra.body.total, 2);
    const percent = await lab.call('GET', '/v1/products?q=0%25');
    assert.deepEqual(
      percent.body.items.map((p: { name: string }) => p.name),
      ['100% Cotton Shirt'],
    );
    assert.equal((await lab.call('GET', '/v1/products?q=Cotton_Shirt')).body.total, 0);
  });

  it('pages through the catalog in a stable order without gaps or repeats', async () => {
    const all = await lab.call('GET', '/v1/products?limit=100');
    const seen: string[] = [];
    for (let offset = 0; offset < all.body.total; offset += 4) {
      const page = await lab.call('GET', `/v1/products?limit=4&offset=${offset}`);
      assert.equal(page.body.limit, 4);
      assert.equal(page.body.offset, offset);
      assert.ok(page.body.items.length <= 4);
      seen.push(...page.body.items.map((p: { id: string }) => p.id));
    }
    assert.deepEqual(
      seen,
      all.body.items.map((p: { id: string }) => p.id),
    );
  });

  it('refuses a page larger than 100 or a negative offset, naming the parameter', async () => {
    const big = await lab.call('GET', '/v1/products?limit=1000');
    assert.equal(big.status, 400);
    assert.equal(big.body.name, 'validation-failed');
    assert.equal(big.body.issues[0].path, 'limit');
    const negative = await lab.call('GET', '/v1/products?offset=-1');
    assert.equal(negative.body.issues[0].path, 'offset');
  });

  it('answers product-not-found for an unknown id and a validation problem for a malformed one', async () => {
    const missing = await lab.call('GET', `/v1/products/${randomUUID()}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.name, 'product-not-found');
    const malformed = await lab.call('GET', '/v1/products/42');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.issues[0].path, 'id');
  });
});

describe('catalog administration', () => {
  let lab: ProductLab;
  before(async () => {
    lab = await startProduct();
  });
  after(() => lab?.stop());

  it('needs a token (401) with the admin role (403) to add, edit or restock', async () => {
    const customer = await lab.token(['customer']);
    const body = { name: 'Sneaky', price: 100, stock: 1 };
    assert.equal((await lab.call('POST', '/v1/products', { body })).status, 401);
    const forbidden = await lab.call('POST', '/v1/products', { body, token: customer });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.name, 'forbidden');
    assert.equal((await lab.call('PATCH', `/v1/products/${DEMO_MUG}`, { body: { price: 1 }, token: customer })).status, 403);
    assert.equal((await lab.call('PUT', `/v1/products/${DEMO_MUG}/stock`, { body: { stock: 0 } })).status, 401);
    assert.equal((await lab.call('GET', '/v1/products?q=Sneaky')).body.total, 0);
    assert.equal((await lab.call('GET', `/v1/products/${DEMO_MUG}`)).body.price, 1490);
  });

  it('lets an admin add a product, change its price and name, and set its stock', async () => {
    const admin = await lab.token(['admin']);
    const created = await lab.call('POST', '/v1/products', {
      body: { name: 'Pager', description: 'Wakes you at 3 a.m.', price: 4500, stock: 3 },
      token: admin,
    });
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    const edited = await lab.call('PATCH', `/v1/products/${id}`, { body: { price: 3900, name: 'Quiet Pager' }, token: admin });
    assert.equal(edited.status, 200);
    assert.deepEqual([edited.body.name, edited.body.price, edited.body.description], ['Quiet Pager', 3900, 'Wakes you at 3 a.m.']);
    const restocked = await lab.call('PUT', `/v1/products/${id}/stock`, { body: { stock: 40 }, token: admin });
    assert.deepEqual([restocked.body.stock, restocked.body.available], [40, 40]);
    const read = await lab.call('GET', `/v1/products/${id}`);
    assert.deepEqual([read.body.name, read.body.price, read.body.stock], ['Quiet Pager', 3900, 40]);
    assert.ok(lab.lines.some((line) => line.message === 'product edited' && line.productId === id));
  });

  it('refuses bad edits naming the field, and an empty change', async () => {
    const admin = await lab.token(['admin']);
    const negative = await lab.call('PATCH', `/v1/products/${DEMO_MUG}`, { body: { price: -5 }, token: admin });
    assert.equal(negative.status, 400);
    assert.match(negative.body.detail, /price/);
    const fractional = await lab.call('PUT', `/v1/products/${DEMO_MUG}/stock`, { body: { stock: 1.5 }, token: admin });
    assert.match(fractional.body.detail, /stock/);
    assert.equal((await lab.call('PATCH', `/v1/products/${DEMO_MUG}`, { body: {}, token: admin })).status, 400);
    assert.equal((await lab.call('PATCH', `/v1/products/${randomUUID()}`, { body: { price: 1 }, token: admin })).status, 404);
    assert.equal((await lab.call('GET', `/v1/products/${DEMO_MUG}`)).body.price, 1490);
  });

  it('refuses to set stock below what reservations hold', async () => {
    const admin = await lab.token(['admin']);
    const id = await lab.addProduct({ stock: 5 });
    const held = await lab.call('POST', '/v1/reservations', {
      body: { reservationId: randomUUID(), orderId: randomUUID(), items: [{ productId: id, quantity: 3 }] },
    });
    assert.equal(held.status, 201);
    const tooLow = await lab.call('PUT', `/v1/products/${id}/stock`, { body: { stock: 2 }, token: admin });
    assert.equal(tooLow.status, 409);
    assert.equal(tooLow.body.name, 'stock-below-held');
    const ok = await lab.call('PUT', `/v1/products/${id}/stock`, { body: { stock: 3 }, token: admin });
    assert.deepEqual([ok.body.stock, ok.body.available], [3, 0]);
  });
});
