import assert from 'node:assert/strict';
import type { RunningService } from '@faultline/platform';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { call, catchEvents, createTestDatabase, metric, signUp, startUser, type TestDatabase, unique } from './support.js';

describe('logging in', () => {
  const exchange = `test.user.${unique()}`;
  const password = 'correct horse battery';
  let database: TestDatabase;
  let service: RunningService;
  let events: Awaited<ReturnType<typeof catchEvents>>;
  let userId: string;

  before(async () => {
    database = await createTestDatabase();
    events = await catchEvents(exchange);
    ({ service } = await startUser(database, exchange));
    ({ id: userId } = await signUp(service, 'ann@example.com', password));
  });

  after(async () => {
    await service?.stop();
    await events?.close();
    await database?.drop();
  });

  const login = (email: string, pw: string) => call(service, 'POST', '/v1/auth/login', { body: { email, password: pw } });

  it('issues an RS256 token that verifies against the served JWKS and carries the user, roles, issuer, audience and a 15-minute life', async () => {
    const answer = await login('ann@example.com', password);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.tokenType, 'Bearer');
    assert.equal(answer.body.expiresIn, 900);
    assert.equal(answer.headers.get('cache-control'), 'no-store');

    const token = String(answer.body.accessToken);
    const jwks = createRemoteJWKSet(new URL(`${service.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: 'faultline-user', audience: 'faultline', algorithms: ['RS256'] });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, userId);
    assert.equal(payload.email, 'ann@example.com');
    assert.deepEqual(payload.roles, ['customer']);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 900);
  });

  it('serves only public key material at /.well-known/jwks.json, cacheable for 5 minutes', async () => {
    const answer = await call<{ keys: Record<string, string>[] }>(service, 'GET', '/.well-known/jwks.json');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(answer.body.keys.length, 1);
    const [key] = answer.body.keys;
    assert.deepEqual({ kty: key?.kty, alg: key?.alg, use: key?.use }, { kty: 'RSA', alg: 'RS256', use: 'sig' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key?.[secret], undefined, `no private member ${secret}`);
    const token = String((await login('ann@example.com', password)).body.accessToken);
    assert.equal(decodeProtectedHeader(token).kid, key?.kid);
  });

  it('accepts the email in another case and with surrounding spaces', async () => {
    assert.equal((await login('  ANN@Example.com ', password)).status, 200);
  });

  it('answers a wrong password exactly as an unknown email: 401 invalid-credentials, and counts both', async () => {
    const failedBefore = await metric(service, 'user_logins_total{outcome="invalid_credentials",application="user"}');
    const wrongPassword = await login('ann@example.com', 'not the password');
    const unknownEmail = await login('nobody@example.com', password);

    for (const answer of [wrongPassword, unknownEmail]) {
      assert.equal(answer.status, 401);
      assert.equal(answer.body.name, 'invalid-credentials');
      assert.equal(answer.body.token, undefined);
    }
    const { traceId: _a, ...wrong } = wrongPassword.body;
    const { traceId: _b, ...unknown } = unknownEmail.body;
    assert.deepEqual(wrong, unknown);
    assert.equal(await metric(service, 'user_logins_total{outcome="invalid_credentials",application="user"}'), failedBefore + 2);
    assert.ok((await metric(service, 'user_logins_total{outcome="success",application="user"}')) >= 1);
  });

  it('answers a login without a password with 400 naming password', async () => {
    const answer = await call<{ name: string; issues: { path: string }[] }>(service, 'POST', '/v1/auth/login', { body: { email: 'ann@example.com' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.name, 'validation-failed');
    assert.deepEqual(
      answer.body.issues.map((i) => i.path),
      ['password'],
    );
  });
});
