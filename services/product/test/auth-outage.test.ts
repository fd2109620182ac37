import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { toxiproxyUrl } from '@faultline/lab';
import { lab, unique } from '@faultline/lab/testing';
import type { RunningService } from '@faultline/platform';
import { type Proxy as ToxiProxy, Toxiproxy } from 'toxiproxy-node-client';
import { createTestDatabase, logIn, startUser, type TestDatabase } from '../../user/test/support.js';
import { type ProductLab, startProduct } from './support.js';

const ORDER_SECRET = 'order-secret-for-the-outage-test';
const ADMIN = { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin password 1' };

/**
 * The real user service, and product verifying tokens with keys fetched through a Toxiproxy edge
 * (as `product__user` in the lab), the keys' lifetime 1 s. The edge is cut for longer than that.
 */
describe('auth through a user-service outage (real user and product, the edge cut)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let user: RunningService;
  let proxy: ToxiProxy;
  const products: ProductLab[] = [];
  let adminToken: string;
  let serviceToken: string;

  const startProductViaEdge = async () => {
    const product = await startProduct({
      SERVICE_NAME: 'product',
      JWKS_URL: `http://${proxy.listen}/.well-known/jwks.json`,
      JWKS_MAX_AGE_SEC: '1',
      JWKS_MIN_INTERVAL_SEC: '1',
    });
    products.push(product);
    return product;
  };
  const cut = (enabled: boolean) => proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });

  before(async () => {
    database = await createTestDatabase();
    ({ service: user } = await startUser(database, `test.user.${unique()}`, { ...ADMIN, SERVICE_CLIENTS: JSON.stringify({ order: ORDER_SECRET }) }));
    proxy = await new Toxiproxy(toxiproxyUrl(lab())).createProxy({
      name: `test_product__user_${unique()}`,
      listen: '127.0.0.1:0',
      upstream: new URL(user.url).host,
    });
    adminToken = await logIn(user, ADMIN.ADMIN_EMAIL, ADMIN.ADMIN_PASSWORD);
    const issued = await fetch(`${user.url}/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'order', client_secret: ORDER_SECRET, audience: 'product' }),
    });
    serviceToken = ((await issued.json()) as { access_token: string }).access_token;
  });
  after(async () => {
    for (const product of products) await product.stop();
    await proxy?.remove();
    await user?.stop();
    await database?.drop();
  });

  it('valid tokens keep working past the key lifetime while the user service is unreachable; a network error is never a 401', async () => {
    const product = await startProductViaEdge();
    const audit = () => product.call('GET', '/v1/inventory/audit', { token: adminToken });
    const reservation = () => product.call('GET', '/v1/reservations/00000000-0000-4000-8000-000000000000', { token: serviceToken });
    assert.equal((await audit()).status, 200, 'keys fetched through the edge');
    await cut(false);
    try {
      await sleep(2500); // more than twice the 1 s key lifetime
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await audit()).status, 200, "an admin's token, stale keys");
        assert.equal((await reservation()).status, 404, "order's service token, admitted (no such reservation)");
        await sleep(300);
      }
      assert.equal((await product.call('GET', '/v1/inventory/audit', { token: 'not.a.token' })).status, 401, 'an invalid token is still refused');
    } finally {
      await cut(true);
    }
  });

  it('answers 503 signing-keys-unavailable with Retry-After only when no key was ever known, and recovers with the edge', async () => {
    await cut(false);
    let product: ProductLab;
    try {
      product = await startProductViaEdge();
      const response = await fetch(`${product.url}/v1/inventory/audit`, { headers: { authorization: `Bearer ${adminToken}` } });
      assert.equal(response.status, 503);
      assert.equal(((await response.json()) as { name: string }).name, 'signing-keys-unavailable');
      assert.ok(Number(response.headers.get('retry-after')) >= 1);
    } finally {
      await cut(true);
    }
    await sleep(1200); // the bounded refresh interval
    assert.equal((await product.call('GET', '/v1/inventory/audit', { token: adminToken })).status, 200);
  });
});
