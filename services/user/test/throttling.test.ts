import assert from 'node:assert/strict';
import type { RunningService } from '@faultline/platform';
import { createTestDatabase, signUp, startUser, type TestDatabase, unique } from './support.js';

type Problem = { name?: string };

/** One request from `address` (the service trusts X-Forwarded-For from loopback, as behind the gateway). */
async function from(service: RunningService, address: string, path: string, body: unknown) {
  const started = performance.now();
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify(body),
  });
  const problem = (await response.json().catch(() => ({}))) as Problem;
  return { status: response.status, name: problem.name, retryAfter: response.headers.get('retry-after'), ms: performance.now() - started };
}

describe('throttling logins and registrations', () => {
  const exchange = `test.user.${unique()}`;
  let database: TestDatabase;
  let service: RunningService;

  before(async () => {
    database = await createTestDatabase();
    ({ service } = await startUser(database, exchange, {
      AUTH_LIMIT_PER_ADDRESS: '5',
      LOGIN_FAILURES_PER_ACCOUNT: '3',
      REGISTRATIONS_PER_ACCOUNT: '2',
    }));
  });
  after(async () => {
    await service?.stop();
    await database?.drop();
  });

  const login = (address: string, email: string, password: string) => from(service, address, '/v1/auth/login', { email, password });
  const register = (address: string, email: string) => from(service, address, '/v1/auth/register', { email, name: 'Ann', password: 'correct horse battery' });

  it('limits logins per address: the sixth in a minute gets 429 with Retry-After; another address is not affected', async () => {
    for (let i = 0; i < 5; i += 1) assert.equal((await login('198.51.100.1', `nobody-${i}@example.com`, 'wrong password')).status, 401);
    const limited = await login('198.51.100.1', 'nobody-6@example.com', 'wrong password');
    assert.deepEqual([limited.status, limited.name], [429, 'too-many-requests']);
    assert.ok(Number(limited.retryAfter) >= 1 && Number(limited.retryAfter) <= 60, `Retry-After ${limited.retryAfter}`);
    assert.equal((await login('198.51.100.2', 'nobody-7@example.com', 'wrong password')).status, 401);
  });

  it('limits failed logins per account, from any address: even the right password waits once the account is under attack', async () => {
    const email = `victim-${unique()}@example.com`;
    await signUp(service, email); // from 127.0.0.1 (own address budget)
    for (let i = 0; i < 3; i += 1) assert.equal((await login(`203.0.113.${i}`, email, `guess ${i}`)).status, 401);
    const blocked = await login('203.0.113.50', email, 'correct horse battery');
    assert.deepEqual([blocked.status, blocked.name], [429, 'too-many-requests']);
    assert.ok(Number(blocked.retryAfter) >= 1);
    const other = `bystander-${unique()}@example.com`;
    await signUp(service, other);
    assert.equal((await login('203.0.113.51', other, 'correct horse battery')).status, 200, 'other accounts log in as usual');
  });

  it('limits registrations per address and per email', async () => {
    for (let i = 0; i < 5; i += 1) assert.equal((await register('192.0.2.1', `new-${unique()}@example.com`)).status, 201);
    const flood = await register('192.0.2.1', `new-${unique()}@example.com`);
    assert.deepEqual([flood.status, flood.name], [429, 'too-many-requests']);
    const email = `twice-${unique()}@example.com`;
    assert.equal((await register('192.0.2.10', email)).status, 201);
    assert.equal((await register('192.0.2.11', email)).status, 409);
    const third = await register('192.0.2.12', email);
    assert.deepEqual([third.status, third.name], [429, 'too-many-requests']);
  });
});

describe('bounded password hashing', () => {
  const exchange = `test.user.${unique()}`;
  let database: TestDatabase;
  let service: RunningService;

  before(async () => {
    database = await createTestDatabase();
    // The shipped bound: 4 hashing, 64 waiting.
    ({ service } = await startUser(database, exchange, { HASHING_CONCURRENCY: '4', HASHING_QUEUE: '64' }));
  });
  after(async () => {
    await service?.stop();
    await database?.drop();
  });

  it('past 4 running and 64 waiting, a login is answered 503 password-hashing-busy at once instead of queueing', async () => {
    const answers = await Promise.all(
      Array.from({ length: 140 }, (_, i) =>
        from(service, `10.9.${i >> 8}.${i & 255}`, '/v1/auth/login', { email: `flood-${i}@example.com`, password: 'guess' }),
      ),
    );
    const busy = answers.filter((a) => a.status === 503);
    const checked = answers.filter((a) => a.status === 401);
    assert.equal(busy.length + checked.length, 140, `unexpected answers: ${JSON.stringify(answers.filter((a) => a.status !== 503 && a.status !== 401))}`);
    assert.ok(checked.length >= 68, `${checked.length} hashed: 4 running + 64 waiting were all admitted`);
    assert.ok(busy.length >= 20, `${busy.length} refused: the rest did not queue`);
    assert.ok(busy.every((a) => a.name === 'password-hashing-busy' && a.retryAfter === '1'));
    const slowestChecked = Math.max(...checked.map((a) => a.ms));
    const slowestBusy = Math.max(...busy.map((a) => a.ms));
    assert.ok(slowestBusy < slowestChecked / 2, `refusals took up to ${Math.round(slowestBusy)} ms, the queue ${Math.round(slowestChecked)} ms`);
  });
});
