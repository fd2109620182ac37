import assert from 'node:assert/strict';
import { type ProductLab, reservation, startProduct } from './support.js';

describe('reservations under concurrent checkouts', () => {
  let lab: ProductLab;
  before(async () => {
    lab = await startProduct({ DATABASE_POOL_MAX: '10' });
  });
  after(() => lab?.stop());

  it('30 concurrent one-unit reservations against stock 10: exactly 10 held, 20 out-of-stock, never oversold', async () => {
    const id = await lab.addProduct({ stock: 10 });
    const observed: number[] = [];
    let firing = true;
    const watcher = (async () => {
      while (firing) {
        observed.push((await lab.call('GET', `/v1/products/${id}`)).body.available);
      }
    })();
    const answers = await Promise.all(Array.from({ length: 30 }, () => lab.call('POST', '/v1/reservations', { body: reservation([[id, 1]]) })));
    firing = false;
    await watcher;

    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 201).length, 10);
    assert.equal(statuses.filter((s) => s === 409).length, 20);
    assert.ok(answers.filter((a) => a.status === 409).every((a) => a.body.name === 'out-of-stock'));
    assert.ok(observed.length > 0 && observed.every((n) => n >= 0 && n <= 10), `available seen: ${observed.join(',')}`);
    const product = (await lab.call('GET', `/v1/products/${id}`)).body;
    assert.deepEqual([product.stock, product.available], [10, 0]);
    const audit = (await lab.call('GET', '/v1/inventory/audit', { token: await lab.token(['admin']) })).body;
    assert.equal(audit.consistent, true);
    const line = audit.products.find((p: { productId: string }) => p.productId === id);
    assert.deepEqual([line.held, line.heldByReservations, line.activeHolds, line.available], [10, 10, 10, 0]);
  });

  it('reservations naming the same products in opposite orders neither deadlock nor oversell', async () => {
    const a = await lab.addProduct({ stock: 20 });
    const b = await lab.addProduct({ stock: 20 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        lab.call('POST', '/v1/reservations', {
          body: reservation(
            i % 2 === 0
              ? [
                  [a, 1],
                  [b, 1],
                ]
              : [
                  [b, 1],
                  [a, 1],
                ],
          ),
        }),
      ),
    );
    assert.deepEqual([...new Set(answers.map((r) => r.status))].sort(), [201, 409], JSON.stringify(answers.find((r) => r.status >= 500)?.body));
    assert.equal(answers.filter((r) => r.status === 201).length, 20);
    for (const id of [a, b]) assert.equal((await lab.call('GET', `/v1/products/${id}`)).body.available, 0);
  });

  it('concurrent commits and releases of the same holds each take effect once', async () => {
    const id = await lab.addProduct({ stock: 10 });
    const requests = Array.from({ length: 5 }, () => reservation([[id, 2]]));
    for (const request of requests) assert.equal((await lab.call('POST', '/v1/reservations', { body: request })).status, 201);
    const [toCommit, toRelease] = [requests.slice(0, 3), requests.slice(3)];
    const answers = await Promise.all([
      ...toCommit.flatMap((r) => [1, 2, 3].map(() => lab.call('POST', `/v1/reservations/${r.reservationId}/commit`))),
      ...toRelease.flatMap((r) => [1, 2, 3].map(() => lab.call('POST', `/v1/reservations/${r.reservationId}/release`))),
    ]);
    assert.ok(answers.every((a) => a.status === 200));
    const product = (await lab.call('GET', `/v1/products/${id}`)).body;
    assert.deepEqual([product.stock, product.available], [4, 4]);
  });
});
