import assert from 'node:assert/strict';
import { eventSchemas } from '@faultline/contracts';
import type { DbPool, RunningService } from '@faultline/platform';
import { verifyPassword } from '../src/auth/passwords.js';
import { call, catchEvents, createTestDatabase, eventually, inspect, metric, startUser, type TestDatabase, unique } from './support.js';

describe('registering an account', () => {
  const exchange = `test.user.${unique()}`;
  let database: TestDatabase;
  let service: RunningService;
  let events: Awaited<ReturnType<typeof catchEvents>>;
  let db: DbPool;
  let logs: () => Promise<string>;

  before(async () => {
    database = await createTestDatabase();
    events = await catchEvents(exchange);
    ({ service, logs } = await startUser(database, exchange));
    db = inspect(database);
  });

  after(async () => {
    await service?.stop();
    await db?.end();
    await events?.close();
    await database?.drop();
  });

  const countUsers = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]?.n);

  it('creates a customer, answers 201 with the profile and publishes user.registered with its id, email and name', async () => {
    const answer = await call(service, 'POST', '/v1/auth/register', {
      body: { email: 'ann@example.com', name: 'Ann Lovelace', password: 'correct horse battery' },
    });

    assert.equal(answer.status, 201);
    assert.deepEqual(
      { ...answer.body, id: undefined, createdAt: undefined, updatedAt: undefined },
      {
        id: undefined,
        email: 'ann@example.com',
        name: 'Ann Lovelace',
        roles: ['customer'],
        createdAt: undefined,
        updatedAt: undefined,
      },
    );
    assert.equal(answer.headers.get('location'), `/v1/users/${answer.body.id}`);
    assert.equal('password' in answer.body || 'passwordHash' in answer.body, false);

    const event = await eventually('user.registered on the exchange', async () => events.received.find((e) => e.type === 'user.registered'));
    assert.deepEqual(event.data, { userId: answer.body.id, email: 'ann@example.com', name: 'Ann Lovelace' });
    assert.ok(eventSchemas['user.registered'].safeParse(event.data).success);
    assert.ok(!Number.isNaN(Date.parse(event.occurredAt)));
    assert.equal(await metric(service, 'users_registered_total{application="user"}'), 1);
  });

  it('stores the email trimmed and lower-cased, so the same address in another case is 409 email-taken and writes nothing', async () => {
    const first = await call(service, 'POST', '/v1/auth/register', { body: { email: '  Bob@Example.COM ', name: 'Bob', password: 'correct horse battery' } });
    assert.equal(first.status, 201);
    assert.equal(first.body.email, 'bob@example.com');
    const usersBefore = await countUsers();

    const again = await call(service, 'POST', '/v1/auth/register', { body: { email: 'BOB@example.com', name: 'Other Bob', password: 'another password' } });

    assert.equal(again.status, 409);
    assert.equal(again.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(again.body.name, 'email-taken');
    assert.equal(await countUsers(), usersBefore);
    const { rows } = await db.query("SELECT 1 FROM outbox WHERE routing_key = 'user.registered' AND envelope->'data'->>'email' = 'bob@example.com'");
    assert.equal(rows.length, 1, 'one user.registered event for bob, not two');
  });

  it('keeps a salted scrypt hash rather than the password, and the hash verifies only the right password', async () => {
    const password = 'plaintext must not be stored';
    await call(service, 'POST', '/v1/auth/register', { body: { email: 'cy@example.com', name: 'Cy', password } });
    await call(service, 'POST', '/v1/auth/register', { body: { email: 'di@example.com', name: 'Di', password } });

    const { rows } = await db.query<{ email: string; password_hash: string }>(
      "SELECT email, password_hash FROM users WHERE email IN ('cy@example.com', 'di@example.com')",
    );
    assert.equal(rows.length, 2);
    for (const { password_hash: hash } of rows) {
      assert.match(hash, /^scrypt\$N=32768,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
      assert.ok(!hash.includes(password));
      assert.equal(await verifyPassword(password, hash), true);
      assert.equal(await verifyPassword(`${password}!`, hash), false);
    }
    assert.notEqual(rows[0]?.password_hash, rows[1]?.password_hash, 'each hash has its own salt');
    assert.ok(!(await logs()).includes(password), 'the password never reaches the log');
  });

  const invalid: [string, unknown, string][] = [
    ['a missing name', { email: 'x@example.com', password: 'long enough pw' }, 'name'],
    ['a malformed email', { email: 'not-an-email', name: 'X', password: 'long enough pw' }, 'email'],
    ['a password under 8 characters', { email: 'x@example.com', name: 'X', password: 'short' }, 'password'],
    ['an oversized name', { email: 'x@example.com', name: 'n'.repeat(101), password: 'long enough pw' }, 'name'],
    ['a blank name', { email: 'x@example.com', name: '   ', password: 'long enough pw' }, 'name'],
    ['a password of the wrong type', { email: 'x@example.com', name: 'X', password: 12345678 }, 'password'],
    ['an attempt to choose roles', { email: 'x@example.com', name: 'X', password: 'long enough pw', roles: ['admin'] }, 'roles'],
  ];
  for (const [what, body, field] of invalid) {
    it(`answers ${what} with 400 naming ${field}, and creates no user`, async () => {
      const before = await countUsers();
      const answer = await call<{ name: string; detail: string; issues: { path: string; message: string }[] }>(service, 'POST', '/v1/auth/register', { body });
      assert.equal(answer.status, 400);
      assert.equal(answer.body.name, 'validation-failed');
      assert.ok(
        answer.body.issues.some((issue) => issue.path === field || issue.message.includes(`"${field}"`)),
        `an issue names ${field}: ${JSON.stringify(answer.body.issues)}`,
      );
      assert.equal(await countUsers(), before);
    });
  }

  it('answers a body that is not JSON with 400 malformed-json', async () => {
    const answer = await call(service, 'POST', '/v1/auth/register', { raw: '{"email": ' });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.name, 'malformed-json');
  });
});
