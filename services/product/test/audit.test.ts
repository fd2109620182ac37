import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOLD_TTL_SEC } from '@faultline/contracts';
import { eventually } from '@faultline/lab/testing';
import { loadConfig } from '@faultline/platform';
import { configShape } from '../src/config.js';
import { type ProductLab, reservation, startProduct } from './support.js';

interface AuditLine {
  productId: string;
  name: string;
  stock: number;
  held: number;
  heldByReservations: number;
  committed: number;
  available: number;
  activeHolds: number;
  leakedHolds: number;
  issues: string[];
}

describe('the inventory audit', () => {
  let lab: ProductLab;
  let admin: string;
  const audit = async (query = '') => (await lab.call('GET', `/v1/inventory/audit${query}`, { token: admin })).body;
  const line = (report: { products: AuditLine[] }, id: string) => report.products.find((p) => p.productId === id) as AuditLine;

  before(async () => {
    lab = await startProduct();
    admin = await lab.token(['admin']);
  });
  after(() => lab?.stop());

  it('is for admins only', async () => {
    assert.equal((await lab.call('GET', '/v1/inventory/audit')).status, 401);
    assert.equal((await lab.call('GET', '/v1/inventory/audit', { token: await lab.token(['customer']) })).status, 403);
  });

  it('reports stock, held and committed units per product that add up after holds, commits and releases', async () => {
    const id = await lab.addProduct({ stock: 20 });
    const [kept, paid, cancelled] = [reservation([[id, 2]]), reservation([[id, 3]]), reservation([[id, 4]])];
    for (const request of [kept, paid, cancelled]) await lab.call('POST', '/v1/reservations', { body: request });
    await lab.call('POST', `/v1/reservations/${paid.reservationId}/commit`);
    await lab.call('POST', `/v1/reservations/${cancelled.reservationId}/release`);

    const report = await audit();
    assert.equal(report.consistent, true);
    const { productId, name, issues, ...figures } = line(report, id);
    assert.equal(productId, id);
    assert.match(name, /^Test product/);
    assert.deepEqual(issues, []);
    assert.deepEqual(figures, {
      stock: 17,
      held: 2,
      heldByReservations: 2,
      committed: 3,
      available: 15,
      activeHolds: 1,
      leakedHolds: 0,
    });
    assert.equal(report.totals.activeHolds, 1);
    assert.equal(report.products.length, 13);
  });

  it('flags holds older than the threshold as leaked, and a hold count the reservations do not explain', async () => {
    const id = await lab.addProduct({ stock: 5 });
    const held = reservation([[id, 1]]);
    await lab.call('POST', '/v1/reservations', { body: held });
    await sleep(1100);
    const leaked = await audit('?leakedAfterSec=1');
    assert.equal(leaked.consistent, false);
    assert.deepEqual(line(leaked, id).issues, ['leaked-holds']);
    assert.ok(leaked.totals.leakedHolds >= 1);
    const hold = leaked.holds.find((h: { orderId: string }) => h.orderId === held.orderId);
    assert.deepEqual({ ...hold, ageSec: undefined }, { reservationId: held.reservationId, orderId: held.orderId, units: 1, leaked: true, ageSec: undefined });
    assert.deepEqual(line(await audit(), id).issues, [], 'within the default TTL the hold is not leaked');

    await lab.service.pool.query('UPDATE products SET held = held + 1 WHERE id = $1', [id]);
    const corrupt = line(await audit(), id);
    assert.deepEqual(corrupt.issues, ['held-mismatch']);
    assert.deepEqual([corrupt.held, corrupt.heldByReservations], [2, 1]);
    await lab.service.pool.query('UPDATE products SET held = held - 1 WHERE id = $1', [id]);
  });
});

describe('expiry of leaked holds', () => {
  let lab: ProductLab;
  before(async () => {
    // Expiry is on by default: only the TTL and the sweep are shortened.
    lab = await startProduct({ RESERVATION_HOLD_TTL_SEC: '1', INVENTORY_SWEEP_MS: '200' });
  });
  after(() => lab?.stop());

  it('releases a hold older than the TTL, returns its stock and counts it as expired', async () => {
    const id = await lab.addProduct({ stock: 5 });
    const request = reservation([[id, 2]]);
    assert.equal((await lab.call('POST', '/v1/reservations', { body: request })).status, 201);
    await eventually('the hold to expire', async () => {
      const { body } = await lab.call('GET', `/v1/reservations/${request.reservationId}`);
      return body.status === 'released' ? true : undefined;
    });
    assert.equal((await lab.call('GET', `/v1/products/${id}`)).body.available, 5);
    assert.equal((await lab.call('POST', `/v1/reservations/${request.reservationId}/commit`)).body.name, 'reservation-released');
    const metrics = await (await fetch(`${lab.url}/metrics`)).text();
    assert.match(metrics, /inventory_reservations_closed_total\{[^}]*outcome="expired"[^}]*\} 1/);
    assert.match(metrics, /inventory_active_holds\{[^}]*\} 0/);
    assert.match(metrics, /inventory_expired_units_total\{[^}]*\} 2/);
    const logged = lab.lines.find((l) => l.message === 'reservation expired' && l.reservationId === request.reservationId);
    assert.ok(logged, 'the expiry is logged');
    assert.equal(logged.orderId, request.orderId);
    assert.equal(logged.units, 2);
    assert.deepEqual(logged.products, [`${id}×2`]);
  });

  it('is on by default, at the one hold TTL shared with the audit', () => {
    const config = loadConfig(configShape, { SERVICE_NAME: 'product', DATABASE_URL: 'postgres://x@127.0.0.1/x', JWKS_URL: 'http://127.0.0.1/jwks' });
    assert.equal(config.RESERVATION_EXPIRE_HOLDS, true);
    assert.equal(config.RESERVATION_HOLD_TTL_SEC, HOLD_TTL_SEC);
  });
});
