import assert from 'node:assert/strict';
import { probeControlCharacters } from '../../../packages/platform/test/control-character-probe.js';
import { call, createTestDatabase, signUp, startUser, type TestDatabase, unique } from './support.js';

describe('user: control characters in any text field', () => {
  let database: TestDatabase;
  let user: Awaited<ReturnType<typeof startUser>>;
  before(async () => {
    database = await createTestDatabase();
    user = await startUser(database, `test.user.${unique()}`);
  });
  after(async () => {
    await user?.service.stop();
    await database?.drop();
  });

  it('refuses NUL and ESC in every path, query and body text field its OpenAPI declares with 400 validation-failed naming the field', async () => {
    const cases = await probeControlCharacters(user.service.url);
    assert.ok(
      cases.some((c) => c.route === '/v1/users/me' && c.method === 'patch' && c.field === 'name'),
      'the profile edit takes a name',
    );
  });

  it('answers a NUL in the profile name with 400, not 500, and keeps the name', async () => {
    const { token: accessToken } = await signUp(user.service, `nul-${unique()}@example.com`);
    const answer = await call(user.service, 'PATCH', '/v1/users/me', { token: accessToken, body: { name: 'Ann\u0000Lovelace' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.name, 'validation-failed');
    const me = await call(user.service, 'GET', '/v1/users/me', { token: accessToken });
    assert.equal(me.body.name, 'Ann Lovelace');
  });
});
