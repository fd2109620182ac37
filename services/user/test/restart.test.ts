import assert from 'node:assert/strict';
import type { DbPool, RunningService } from '@faultline/platform';
import { decodeProtectedHeader } from 'jose';
import { call, catchEvents, createTestDatabase, inspect, logIn, signUp, startUser, type TestDatabase, unique } from './support.js';

describe('restarting the service on the same database', () => {
  const exchange = `test.user.${unique()}`;
  const admin = { ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'admin password 1' };
  let database: TestDatabase;
  let service: RunningService | undefined;
  let events: Awaited<ReturnType<typeof catchEvents>>;
  let db: DbPool;

  before(async () => {
    database = await createTestDatabase();
    events = await catchEvents(exchange);
    db = inspect(database);
  });

  after(async () => {
    await service?.stop();
    await db?.end();
    await events?.close();
    await database?.drop();
  });

  const restart = async (env: Record<string, string> = admin) => {
    await service?.stop();
    service = undefined;
    ({ service } = await startUser(database, exchange, env));
    return service;
  };
  const kids = async (s: RunningService) => (await call<{ keys: { kid: string }[] }>(s, 'GET', '/.well-known/jwks.json')).body.keys.map((k) => k.kid);

  it('keeps the signing key, so the JWKS has the same kid and a token issued before the restart still works', async () => {
    const before = await restart();
    const { token } = await signUp(before, 'ann@example.com');
    const kidsBefore = await kids(before);

    const after = await restart();

    assert.deepEqual(await kids(after), kidsBefore);
    assert.deepEqual(kidsBefore, [decodeProtectedHeader(token).kid]);
    const me = await call(after, 'GET', '/v1/users/me', { token });
    assert.equal(me.status, 200);
    assert.equal(me.body.email, 'ann@example.com');
    assert.equal(Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM signing_keys')).rows[0]?.n), 1);
  });

  it('seeds the admin once: a restart with another ADMIN_PASSWORD neither duplicates the account nor changes its password', async () => {
    await restart({ ...admin, ADMIN_PASSWORD: 'a different password' });

    const { rows } = await db.query<{ roles: string[] }>("SELECT roles FROM users WHERE email = 'root@example.com'");
    assert.deepEqual(
      rows.map((r) => r.roles),
      [['customer', 'admin']],
    );
    assert.ok(await logIn(service as RunningService, admin.ADMIN_EMAIL, admin.ADMIN_PASSWORD));
    assert.equal(
      (await call(service as RunningService, 'POST', '/v1/auth/login', { body: { email: admin.ADMIN_EMAIL, password: 'a different password' } })).status,
      401,
    );
  });

  it('never promotes an existing account named by ADMIN_EMAIL: seeding only creates', async () => {
    // Someone registered the admin's email first; a (re)start with ADMIN_EMAIL must not make them admin.
    const { id } = await signUp(service as RunningService, 'bob@example.com');
    const restarted = await restart({ ADMIN_EMAIL: 'bob@example.com', ADMIN_PASSWORD: 'the operator password' });
    const token = await logIn(restarted, 'bob@example.com', 'correct horse battery');
    const listing = await call<{ name: string }>(restarted, 'GET', '/v1/users', { token });
    assert.deepEqual([listing.status, listing.body.name], [403, 'forbidden']);
    const { rows } = await db.query<{ roles: string[] }>('SELECT roles FROM users WHERE id = $1', [id]);
    assert.deepEqual(rows[0]?.roles, ['customer']);
    const operator = await call(restarted, 'POST', '/v1/auth/login', { body: { email: 'bob@example.com', password: 'the operator password' } });
    assert.equal(operator.status, 401, 'the seeded password was not given to the existing account either');
  });

  it('refuses to start with ADMIN_EMAIL but no ADMIN_PASSWORD, naming the missing variable', async () => {
    await service?.stop();
    service = undefined;
    await assert.rejects(startUser(database, exchange, { ADMIN_EMAIL: 'root@example.com' }), /ADMIN_PASSWORD is required/);
  });
});
