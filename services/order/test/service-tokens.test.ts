import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SERVICE_GRANTS } from '@faultline/contracts';
import type { RunningService } from '@faultline/platform';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createTestDatabase, startUser, type TestDatabase, unique } from '../../user/test/support.js';
import { type OrderLab, startOrderLab } from './support.js';

const ORDER_SECRET = 'order-secret-for-the-saga-test';

describe('the saga calls product and payment with service tokens from the real user service', () => {
  let database: TestDatabase;
  let user: RunningService;
  let lab: OrderLab;
  const widget = randomUUID();

  before(async () => {
    database = await createTestDatabase();
    ({ service: user } = await startUser(database, `test.user.${unique()}`, { SERVICE_CLIENTS: JSON.stringify({ order: ORDER_SECRET }) }));
    lab = await startOrderLab(
      { [widget]: { stock: 10, price: 700 } },
      { SERVICE_TOKEN_URL: `${user.url}/v1/oauth/token`, SERVICE_CLIENT_ID: 'order', SERVICE_CLIENT_SECRET: ORDER_SECRET },
    );
  });
  after(async () => {
    await lab?.close();
    await user?.stop();
    await database?.drop();
  });

  it('every call carries a token for its callee (aud), with the scopes SERVICE_GRANTS gives order there, one token held per callee', async () => {
    const customer = await lab.tokens.sign(randomUUID());
    for (let i = 0; i < 2; i += 1) {
      assert.equal((await lab.call('PUT', `/v1/cart/items/${widget}`, { token: customer, body: { quantity: 1 } })).status, 200);
      const answer = await lab.checkout(customer, randomUUID(), { cardToken: 'tok_visa' });
      assert.equal(answer.body.status, 'confirmed');
    }
    const keys = createRemoteJWKSet(new URL(`${user.url}/.well-known/jwks.json`));
    for (const [callee, calls] of [
      ['product', lab.product.calls],
      ['payment', lab.payment.calls],
    ] as const) {
      const bearers = new Set(calls.map((call) => String(call.headers.authorization).replace(/^Bearer /, '')));
      assert.ok(calls.length >= 2, `${callee} was called`);
      assert.equal(bearers.size, 1, `one held token for all ${calls.length} calls to ${callee}`);
      const { payload } = await jwtVerify([...bearers][0] as string, keys, { issuer: 'faultline-user', audience: callee });
      assert.equal(payload.sub, 'order');
      assert.equal(payload.token_use, 'service');
      assert.equal(payload.scope, SERVICE_GRANTS.order[callee].join(' '));
    }
  });
});
