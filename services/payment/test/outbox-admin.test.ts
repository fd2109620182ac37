import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventually } from '@faultline/lab/testing';
import { type Stack, startStack } from './support.js';

type Listed = { items: { id: string; type: string; createdAt: string; sentAt: string | null; attempts: number }[] };

/** The platform's outbox admin route (GET /v1/admin/outbox), on a real service, database and broker. */
describe("payment: the outbox's admin view", () => {
  let stack: Stack;
  let admin: string;
  before(async () => {
    stack = await startStack();
    admin = await stack.token(randomUUID(), ['admin']);
  });
  after(() => stack?.stop());

  const list = async (query: string, token: string | null = admin) => stack.get(`/v1/admin/outbox?${query}`, token);

  it('lists the events written in a time range, oldest first, each marked sent once the broker confirmed it', async () => {
    const since = Date.now();
    const payment = (await (await stack.charge(stack.order())).json()) as { orderId: string };
    const written = await eventually('the authorisation listed and confirmed', async () => {
      const answer = await list(`since=${since}&type=payment.authorized`);
      assert.equal(answer.status, 200);
      const { items } = (await answer.json()) as Listed;
      assert.equal(items.length, 1, JSON.stringify(items));
      assert.notEqual(items[0]?.sentAt, null, 'the relay had it confirmed');
      return items[0];
    });
    assert.equal(written?.type, 'payment.authorized');
    assert.ok(Date.parse(written?.createdAt ?? '') >= since - 1000);
    assert.ok(payment.orderId);
    const before = (await (await list(`since=0&until=${since}&type=payment.authorized&limit=1000`)).json()) as Listed;
    assert.ok(!before.items.some((e) => e.id === written?.id), 'until bounds the range');
  });

  it('is for admins only, and refuses a bad range with a problem that names it', async () => {
    assert.equal((await list(`since=${Date.now()}`, null)).status, 401);
    assert.equal((await list(`since=${Date.now()}`, await stack.token(randomUUID()))).status, 403);
    for (const query of ['since=yesterday', 'since=-1', `since=${Date.now()}&until=0`, 'since=0&type=Payment', 'since=0&limit=5000', '']) {
      const answer = await list(query);
      assert.equal(answer.status, 400, query);
      assert.equal(((await answer.json()) as { name: string }).name, 'validation-failed', query);
    }
  });
});
