import assert from 'node:assert/strict';
import type { RunningService } from '@faultline/platform';
import { generateKeyPair, SignJWT } from 'jose';
import { call, catchEvents, createTestDatabase, logIn, signUp, startUser, type TestDatabase, unique } from './support.js';

describe('profiles and roles', () => {
  const exchange = `test.user.${unique()}`;
  const admin = { email: 'root@example.com', password: 'admin password 1' };
  let database: TestDatabase;
  let service: RunningService;
  let events: Awaited<ReturnType<typeof catchEvents>>;
  let customer: { id: string; token: string };
  let adminToken: string;

  before(async () => {
    database = await createTestDatabase();
    events = await catchEvents(exchange);
    ({ service } = await startUser(database, exchange, { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password }));
    customer = await signUp(service, 'ann@example.com');
    adminToken = await logIn(service, admin.email, admin.password);
  });

  after(async () => {
    await service?.stop();
    await events?.close();
    await database?.drop();
  });

  it('answers /v1/users/me with 401 without a token, with a garbage token and with a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setSubject(customer.id)
      .setIssuer('faultline-user')
      .setAudience('faultline')
      .setExpirationTime('5m')
      .sign(privateKey);
    for (const token of [undefined, 'not-a-jwt', forged]) {
      const answer = await call(service, 'GET', '/v1/users/me', token ? { token } : {});
      assert.equal(answer.status, 401, `token ${token}`);
      assert.equal(answer.body.name, 'unauthorized');
    }
  });

  it('answers /v1/users/me with the caller’s own profile when the token is valid', async () => {
    const answer = await call(service, 'GET', '/v1/users/me', { token: customer.token });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.id, customer.id);
    assert.equal(answer.body.email, 'ann@example.com');
    assert.deepEqual(answer.body.roles, ['customer']);
  });

  it('lets a customer change their own name, and refuses a blank one with 400 naming name', async () => {
    const changed = await call(service, 'PATCH', '/v1/users/me', { token: customer.token, body: { name: '  Ann L. ' } });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.name, 'Ann L.');
    assert.equal((await call(service, 'GET', '/v1/users/me', { token: customer.token })).body.name, 'Ann L.');

    const blank = await call<{ issues: { path: string }[] }>(service, 'PATCH', '/v1/users/me', { token: customer.token, body: { name: '' } });
    assert.equal(blank.status, 400);
    assert.deepEqual(
      blank.body.issues.map((i) => i.path),
      ['name'],
    );
  });

  it('answers the admin endpoints with 403 to a customer and 401 to an anonymous caller', async () => {
    const attempts: [string, string, unknown?][] = [
      ['GET', '/v1/users'],
      ['GET', `/v1/users/${customer.id}`],
      ['PUT', `/v1/users/${customer.id}/roles`, { roles: ['customer', 'admin'] }],
    ];
    for (const [method, url, body] of attempts) {
      assert.equal((await call(service, method, url, { token: customer.token, body })).status, 403, `${method} ${url} as a customer`);
      assert.equal((await call(service, method, url, { body })).status, 401, `${method} ${url} anonymously`);
    }
    assert.deepEqual((await call(service, 'GET', '/v1/users/me', { token: customer.token })).body.roles, ['customer'], 'the roles are unchanged');
  });

  it('lets the seeded admin list users page by page, oldest first', async () => {
    await signUp(service, 'bob@example.com');
    await signUp(service, 'cy@example.com');
    type Page = { items: { email: string }[]; total: number; limit: number; offset: number };
    const first = await call<Page>(service, 'GET', '/v1/users?limit=2', { token: adminToken });
    const second = await call<Page>(service, 'GET', '/v1/users?limit=2&offset=2', { token: adminToken });
    assert.equal(first.status, 200);
    assert.deepEqual(
      [...first.body.items, ...second.body.items].map((u) => u.email),
      ['root@example.com', 'ann@example.com', 'bob@example.com', 'cy@example.com'],
    );
    assert.deepEqual({ total: first.body.total, limit: first.body.limit, offset: second.body.offset }, { total: 4, limit: 2, offset: 2 });
  });

  it('refuses paging out of range with 400 naming limit or offset', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['offset=-1', 'offset'],
      ['limit=abc', 'limit'],
    ]) {
      const answer = await call<{ issues: { path: string }[] }>(service, 'GET', `/v1/users?${query}`, { token: adminToken });
      assert.equal(answer.status, 400, query);
      assert.deepEqual(
        answer.body.issues.map((i) => i.path),
        [field],
      );
    }
  });

  it('lets an admin make a customer an admin; the customer’s next token carries both roles', async () => {
    const set = await call(service, 'PUT', `/v1/users/${customer.id}/roles`, { token: adminToken, body: { roles: ['customer', 'admin'] } });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.roles, ['customer', 'admin']);

    const fresh = await logIn(service, 'ann@example.com', 'correct horse battery');
    assert.equal((await call(service, 'GET', '/v1/users', { token: fresh })).status, 200);
  });

  it('answers an unknown user with 404, a malformed id or an unknown role with 400, and an admin demoting themselves with 409', async () => {
    const unknownId = '00000000-0000-4000-8000-000000000000';
    assert.equal((await call(service, 'GET', `/v1/users/${unknownId}`, { token: adminToken })).body.name, 'user-not-found');
    const malformed = await call<{ issues: { path: string }[] }>(service, 'GET', '/v1/users/42', { token: adminToken });
    assert.deepEqual([malformed.status, malformed.body.issues[0]?.path], [400, 'id']);
    const badRole = await call(service, 'PUT', `/v1/users/${customer.id}/roles`, { token: adminToken, body: { roles: ['root'] } });
    assert.equal(badRole.status, 400);

    const me = await call(service, 'GET', '/v1/users/me', { token: adminToken });
    const demote = await call(service, 'PUT', `/v1/users/${me.body.id}/roles`, { token: adminToken, body: { roles: ['customer'] } });
    assert.equal(demote.status, 409);
    assert.equal(demote.body.name, 'admin-self-demotion');
  });

  it('documents every /v1 route in /openapi.json, the protected ones with bearer security', async () => {
    const doc = await call<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>(service, 'GET', '/openapi.json');
    assert.deepEqual(Object.keys(doc.body.paths).sort(), [
      '/.well-known/jwks.json',
      '/v1/admin/outbox',
      '/v1/auth/login',
      '/v1/auth/register',
      '/v1/oauth/token',
      '/v1/users',
      '/v1/users/me',
      '/v1/users/{id}',
      '/v1/users/{id}/roles',
    ]);
    assert.ok(doc.body.paths['/v1/users/me']?.get?.security);
    assert.ok(doc.body.paths['/v1/admin/outbox']?.get?.security, "the outbox's admin view is protected");
    assert.equal(doc.body.paths['/v1/auth/login']?.post?.security, undefined);
  });
});
