import assert from 'node:assert/strict';
import { startComponent, stopComponent } from '@faultline/lab';
import { eventually } from '@faultline/lab/testing';
import { serviceComponent, serviceUrl } from '../../packages/lab/src/topology/services.js';
import { internal, whileEdgeStalled } from './internal.js';
import { type Customer, cfg, checkout, ensureShop, expectCleanAudit, finalOrder, newCustomer, PRODUCTS } from './lab.js';

/** Product restarted with a short hold TTL (its variables pass through from this process's environment). */
async function restartProduct(env: Record<string, string | undefined>): Promise<void> {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await stopComponent(cfg, serviceComponent('product'));
  await startComponent(cfg, serviceComponent('product'));
}

describe('a hold that expires under a saga still in flight (the real services)', function () {
  this.timeout(180_000);
  let customer: Customer;

  before(async () => {
    await ensureShop();
    await restartProduct({ RESERVATION_HOLD_TTL_SEC: '3', INVENTORY_SWEEP_MS: '500' });
    customer = await newCustomer();
  });
  after(() => restartProduct({ RESERVATION_HOLD_TTL_SEC: undefined, INVENTORY_SWEEP_MS: undefined }));

  it('the charge that comes after the expiry is refunded and the order cancelled out-of-stock, nothing kept, nothing held', async () => {
    const orderId = await whileEdgeStalled('order__payment', async () => {
      const answer = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 2 }]);
      assert.equal(answer.status, 202, `checkout answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      const orderId = answer.orderId;
      const reservationId = String(answer.body.reservationId);
      await eventually(
        'product to expire the hold',
        async () => ((await internal('product', 'GET', `/v1/reservations/${reservationId}`)).body.status === 'released' ? true : undefined),
        30_000,
        500,
      );
      return orderId;
    });
    const order = await finalOrder(customer, orderId, 120_000);
    assert.equal(order.status, 'cancelled');
    assert.equal(order.cancelReason, 'out-of-stock');
    assert.equal(order.refunded, true);
    const metrics = await (await fetch(`${serviceUrl(cfg, 'product')}/metrics`)).text();
    assert.match(metrics, /inventory_expired_units_total\{[^}]*\} [1-9]/);
    await expectCleanAudit();
  });
});
