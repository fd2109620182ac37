import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { claimDueSagas } from '../src/store/saga-store.js';
import { type OrderLab, startOrderLab } from './support.js';

describe('claiming due sagas', () => {
  let lab: OrderLab;

  before(async () => {
    // The test claims by hand: the lab's own worker must not take any of its sagas.
    lab = await startOrderLab({});
    await lab.worker.stop();
  });
  after(() => lab?.close());

  const insertSagas = async (count: number, columns = '') => {
    const ids = Array.from({ length: count }, () => randomUUID());
    for (const id of ids)
      await lab.service.pool.query(
        `INSERT INTO sagas (order_id, user_id, reservation_id, card_token, step${columns ? `, ${columns}` : ''})
         VALUES ($1, 'u', $2, 'tok_visa', 'charge-payment'${columns ? ", 'someone', now() + interval '1 minute'" : ''})`,
        [id, randomUUID()],
      );
    return ids;
  };

  it('never gives the same saga to two instances polling at once', async () => {
    const ids = await insertSagas(30);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((instance) => claimDueSagas(lab.service.pool, instance, 60_000, 15)));
    const claimed = [...(a ?? []), ...(b ?? []), ...(c ?? [])].map((r) => r.orderId);
    assert.equal(new Set(claimed).size, claimed.length, 'no saga claimed twice');
    assert.deepEqual(new Set(claimed), new Set(ids), 'every due saga claimed');
    assert.deepEqual(await claimDueSagas(lab.service.pool, 'd', 60_000, 100), [], 'leased sagas are not due');
  });

  it('skips sagas leased to a live runner and takes them over once the lease expires', async () => {
    const [leased] = await insertSagas(1, 'lease_owner, lease_until');
    assert.deepEqual(await claimDueSagas(lab.service.pool, 'x', 60_000, 100), []);
    await lab.service.pool.query(`UPDATE sagas SET lease_until = now() - interval '1 second' WHERE order_id = $1`, [leased]);
    const taken = await claimDueSagas(lab.service.pool, 'x', 60_000, 100);
    assert.deepEqual(
      taken.map((t) => t.orderId),
      [leased],
    );
    assert.equal(taken[0]?.leaseOwner, `x:${leased}`);
  });
});
