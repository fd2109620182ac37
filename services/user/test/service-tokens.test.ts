import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_GRANTS } from '@faultline/contracts';
import { createLogger, createServiceTokens, isAppError, type RunningService } from '@faultline/platform';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { call, createTestDatabase, eventually, signUp, startUser, type TestDatabase, unique } from './support.js';

const ORDER_SECRET = 'order-secret-0123456789';
const LAB_SECRET = 'lab-secret-0123456789ab';

describe('service tokens (client credentials)', () => {
  const exchange = `test.user.${unique()}`;
  let database: TestDatabase;
  let service: RunningService;
  const env = { SERVICE_CLIENTS: JSON.stringify({ order: ORDER_SECRET, lab: LAB_SECRET }), SERVICE_TOKEN_TTL_SEC: '6' };

  before(async () => {
    database = await createTestDatabase();
    ({ service } = await startUser(database, exchange, env));
  });
  after(async () => {
    await service?.stop();
    await database?.drop();
  });

  const ask = (body: Record<string, unknown>) =>
    call<Record<string, unknown>>(service, 'POST', '/v1/oauth/token', { body: { grant_type: 'client_credentials', ...body } });

  it('issues an RS256 token for one callee with exactly the scopes SERVICE_GRANTS gives, verifiable with the JWKS', async () => {
    const answer = await ask({ client_id: 'order', client_secret: ORDER_SECRET, audience: 'payment' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    assert.equal(answer.body.token_type, 'Bearer');
    assert.equal(answer.body.expires_in, 6);
    const keys = createRemoteJWKSet(new URL(`${service.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(String(answer.body.access_token), keys, { issuer: 'faultline-user', audience: 'payment' });
    assert.equal(payload.sub, 'order');
    assert.equal(payload.token_use, 'service');
    assert.equal(payload.scope, SERVICE_GRANTS.order.payment.join(' '));
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 6);
    const lab = await ask({ client_id: 'lab', client_secret: LAB_SECRET, audience: 'product' });
    assert.equal(decodeJwt(String(lab.body.access_token)).scope, SERVICE_GRANTS.lab.product.join(' '));
  });

  it('refuses a wrong secret or an unknown client (401 invalid-client) and an audience without grants (400 invalid-target)', async () => {
    const wrong = await ask({ client_id: 'order', client_secret: 'not the secret at all', audience: 'payment' });
    assert.deepEqual([wrong.status, wrong.body.name], [401, 'invalid-client']);
    const unknown = await ask({ client_id: 'mallory', client_secret: ORDER_SECRET, audience: 'payment' });
    assert.deepEqual([unknown.status, unknown.body.name], [401, 'invalid-client']);
    const target = await ask({ client_id: 'lab', client_secret: LAB_SECRET, audience: 'user' });
    assert.deepEqual([target.status, target.body.name], [400, 'invalid-target']);
    const grant = await call<{ name: string }>(service, 'POST', '/v1/oauth/token', {
      body: { grant_type: 'password', client_id: 'order', client_secret: ORDER_SECRET, audience: 'payment' },
    });
    assert.deepEqual([grant.status, grant.body.name], [400, 'validation-failed']);
  });

  it('a service token is not a person: the user service refuses it on /v1/users/me', async () => {
    const token = String((await ask({ client_id: 'order', client_secret: ORDER_SECRET, audience: 'product' })).body.access_token);
    assert.equal((await call(service, 'GET', '/v1/users/me', { token })).status, 401);
    const person = await signUp(service, `ann-${unique()}@example.com`);
    assert.equal((await call(service, 'GET', '/v1/users/me', { token: person.token })).status, 200);
  });

  it("the platform's client renews after half the token's life and keeps the held token through a user-service outage", async () => {
    const logger = createLogger({ service: 'service-tokens-test', silent: true });
    const tokens = createServiceTokens({ tokenUrl: `${service.url}/v1/oauth/token`, clientId: 'order', clientSecret: ORDER_SECRET, logger });
    /** Sleep until `seconds` after the token's issue time (whole seconds: the request was at most 1 s later). */
    const untilAfterIssue = (token: string, seconds: number) => sleep(Math.max(0, ((decodeJwt(token).iat ?? 0) + seconds) * 1000 - Date.now()));
    // Life 6 s: half-life 3 s; the client uses a token until 1 s before it expires.
    const first = await tokens.tokenFor('product');
    assert.equal(await tokens.tokenFor('product'), first, 'held, not asked again');
    await untilAfterIssue(first, 4.2); // 3.2–4.2 s after the request: past half its life
    assert.equal(await tokens.tokenFor('product'), first, 'the held token answers while the renewal runs');
    const second = await eventually('the renewed token', async () => {
      const current = await tokens.tokenFor('product');
      return current === first ? undefined : current;
    });
    assert.ok((decodeJwt(second).iat ?? 0) > (decodeJwt(first).iat ?? 0));

    // The user service goes away: the held token keeps serving until it expires, then 503.
    await service.stop();
    try {
      await untilAfterIssue(second, 4.2);
      assert.equal(await tokens.tokenFor('product'), second, 'kept through the outage, past half its life');
      await untilAfterIssue(second, 7.2);
      await assert.rejects(
        tokens.tokenFor('product'),
        (error: unknown) => isAppError(error) && error.errorName === 'service-token-unavailable' && error.status === 503,
      );
    } finally {
      ({ service } = await startUser(database, exchange, env));
    }
  });
});
