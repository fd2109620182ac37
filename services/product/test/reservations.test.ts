import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { reservationSchema } from '@faultline/contracts';
import { type ProductLab, reservation, startProduct } from './support.js';

describe('inventory reservations', () => {
  let lab: ProductLab;
  const available = async (id: string) => (await lab.call('GET', `/v1/products/${id}`)).body.available as number;
  const stock = async (id: string) => (await lab.call('GET', `/v1/products/${id}`)).body.stock as number;

  before(async () => {
    lab = await startProduct();
  });
  after(() => lab?.stop());

  it('holds every item at its current price and answers with the contract (201, held)', async () => {
    const a = await lab.addProduct({ price: 250, stock: 10 });
    const b = await lab.addProduct({ price: 1999, stock: 10 });
    const request = reservation([
      [a, 2],
      [b, 3],
    ]);
    const held = await lab.call('POST', '/v1/reservations', { body: request });
    assert.equal(held.status, 201);
    const body = reservationSchema.parse(held.body);
    assert.equal(body.status, 'held');
    assert.equal(body.reservationId, request.reservationId);
    assert.deepEqual(Object.fromEntries(body.items.map((i) => [i.productId, [i.quantity, i.unitPrice]])), { [a]: [2, 250], [b]: [3, 1999] });
    assert.deepEqual([await available(a), await available(b), await stock(a)], [8, 7, 10]);
    assert.deepEqual((await lab.call('GET', `/v1/reservations/${request.reservationId}`)).body, held.body);
  });

  it('when one item is short, refuses with out-of-stock naming it and holds nothing for the others', async () => {
    const plenty = await lab.addProduct({ stock: 10 });
    const scarce = await lab.addProduct({ stock: 1 });
    const request = reservation([
      [plenty, 4],
      [scarce, 2],
    ]);
    const refused = await lab.call('POST', '/v1/reservations', { body: request });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.name, 'out-of-stock');
    assert.deepEqual(refused.body.productIds, [scarce]);
    assert.deepEqual(refused.body.shortages, [{ productId: scarce, requested: 2, available: 1 }]);
    assert.deepEqual([await available(plenty), await available(scarce)], [10, 1]);
    assert.equal((await lab.call('GET', `/v1/reservations/${request.reservationId}`)).status, 404);
  });

  it('refuses an unknown product with product-not-found naming it, holding nothing', async () => {
    const known = await lab.addProduct({ stock: 5 });
    const unknown = randomUUID();
    const refused = await lab.call('POST', '/v1/reservations', {
      body: reservation([
        [known, 1],
        [unknown, 1],
      ]),
    });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.name, 'product-not-found');
    assert.deepEqual(refused.body.productIds, [unknown]);
    assert.equal(await available(known), 5);
  });

  it('answers a retry of the same reservation with the first answer (200) and holds only once', async () => {
    const id = await lab.addProduct({ stock: 10 });
    const request = reservation([[id, 3]]);
    const first = await lab.call('POST', '/v1/reservations', { body: request });
    const retries = await Promise.all([1, 2, 3].map(() => lab.call('POST', '/v1/reservations', { body: request })));
    assert.equal(first.status, 201);
    for (const retry of retries) {
      assert.equal(retry.status, 200);
      assert.deepEqual(retry.body, first.body);
    }
    assert.equal(await available(id), 7);
  });

  it('holds once when duplicates of a new reservation race each other', async () => {
    const id = await lab.addProduct({ stock: 10 });
    const request = reservation([[id, 2]]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => lab.call('POST', '/v1/reservations', { body: request })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 201]);
    assert.equal(await available(id), 8);
  });

  it('refuses a reused reservation id with different items or order as reservation-mismatch', async () => {
    const id = await lab.addProduct({ stock: 10 });
    const request = reservation([[id, 1]]);
    assert.equal((await lab.call('POST', '/v1/reservations', { body: request })).status, 201);
    const otherQuantity = await lab.call('POST', '/v1/reservations', { body: { ...request, items: [{ productId: id, quantity: 2 }] } });
    assert.equal(otherQuantity.status, 409);
    assert.equal(otherQuantity.body.name, 'reservation-mismatch');
    const otherOrder = await lab.call('POST', '/v1/reservations', { body: { ...request, orderId: randomUUID() } });
    assert.equal(otherOrder.body.name, 'reservation-mismatch');
    assert.equal(await available(id), 9);
  });

  it('refuses malformed requests naming the field, including a product listed twice', async () => {
    const id = await lab.addProduct({ stock: 10 });
    const zero = await lab.call('POST', '/v1/reservations', { body: reservation([[id, 0]]) });
    assert.equal(zero.status, 400);
    assert.equal(zero.body.issues[0].path, 'items.0.quantity');
    const twice = await lab.call('POST', '/v1/reservations', {
      body: reservation([
        [id, 1],
        [id, 1],
      ]),
    });
    assert.equal(twice.status, 400);
    assert.equal(twice.body.issues[0].path, 'items.1.productId');
    const empty = await lab.call('POST', '/v1/reservations', { body: { reservationId: randomUUID(), orderId: randomUUID(), items: [] } });
    assert.equal(empty.body.issues[0].path, 'items');
    assert.equal(await available(id), 10);
  });

  it('commit takes the units out of stock; committing again changes nothing; release is then refused', async () => {
    const id = await lab.addProduct({ stock: 10 });
    const request = reservation([[id, 4]]);
    await lab.call('POST', '/v1/reservations', { body: request });
    const committed = await lab.call('POST', `/v1/reservations/${request.reservationId}/commit`);
    assert.equal(committed.status, 200);
    assert.equal(committed.body.status, 'committed');
    assert.deepEqual([await stock(id), await available(id)], [6, 6]);
    const again = await lab.call('POST', `/v1/reservations/${request.reservationId}/commit`);
    assert.deepEqual([again.status, again.body.status], [200, 'committed']);
    assert.deepEqual([await stock(id), await available(id)], [6, 6]);
    const release = await lab.call('POST', `/v1/reservations/${request.reservationId}/release`);
    assert.equal(release.status, 409);
    assert.equal(release.body.name, 'reservation-committed');
    assert.equal(await available(id), 6);
  });

  it('release returns the units; releasing again changes nothing; commit is then refused', async () => {
    const id = await lab.addProduct({ stock: 10 });
    const request = reservation([[id, 4]]);
    await lab.call('POST', '/v1/reservations', { body: request });
    const released = await lab.call('POST', `/v1/reservations/${request.reservationId}/release`);
    assert.deepEqual([released.status, released.body.status], [200, 'released']);
    assert.deepEqual([await stock(id), await available(id)], [10, 10]);
    assert.equal((await lab.call('POST', `/v1/reservations/${request.reservationId}/release`)).status, 200);
    assert.equal(await available(id), 10);
    const commit = await lab.call('POST', `/v1/reservations/${request.reservationId}/commit`);
    assert.equal(commit.status, 409);
    assert.equal(commit.body.name, 'reservation-released');
    assert.deepEqual([await stock(id), await available(id)], [10, 10]);
    const retried = await lab.call('POST', '/v1/reservations', { body: request });
    assert.deepEqual([retried.status, retried.body.status], [200, 'released']);
    assert.equal(await available(id), 10);
  });

  it('answers reservation-not-found for commit, release or read of an unknown reservation', async () => {
    for (const path of ['', '/commit', '/release']) {
      const response = await lab.call(path ? 'POST' : 'GET', `/v1/reservations/${randomUUID()}${path}`);
      assert.equal(response.status, 404);
      assert.equal(response.body.name, 'reservation-not-found');
    }
  });

  it('counts outcomes in inventory_reservations_total', async () => {
    const metrics = await (await fetch(`${lab.url}/metrics`)).text();
    for (const outcome of ['held', 'duplicate', 'out_of_stock', 'rejected'])
      assert.match(metrics, new RegExp(`inventory_reservations_total\\{[^}]*outcome="${outcome}"[^}]*\\} [1-9]`));
    assert.match(metrics, /inventory_reservations_closed_total\{[^}]*outcome="committed"[^}]*\} [1-9]/);
  });
});
