import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_CARD_TOKENS } from '@faultline/contracts';
import { checkQueriesAgainst } from '../../dashboards/src/data-check.js';
import { runLoad } from '../../packages/lab/src/topology/load.js';
import { cfg, checkout, ensureShop, finalOrder, newCustomer, PRODUCTS } from './lab.js';

describe('dashboards and rules against real data: every PromQL expression returns data after a real load run', function () {
  this.timeout(5 * 60_000);
  let from = 0;
  let to = 0;

  before(async () => {
    await ensureShop();
    from = Date.now() / 1000;
    // A declined card, so the compensation panels have a reason to show; k6 then shops through the gateway
    // and writes its own metrics to Prometheus (the load dashboard).
    const customer = await newCustomer();
    const declined = await checkout(customer, [{ productId: PRODUCTS.mug, quantity: 1 }], TEST_CARD_TOKENS.declined);
    assert.ok([201, 202].includes(declined.status), `checkout: ${declined.status} ${JSON.stringify(declined.body)}`);
    assert.equal((await finalOrder(customer, declined.orderId)).status, 'cancelled');
    const k6 = await runLoad(cfg, {
      profile: 'experiment',
      env: { RATE: '4', DURATION: '40', CHECKOUT_RATIO: '2', RUN_ID: `dashboards-${Date.now().toString(36)}`, K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s' },
    });
    assert.ok([0, 99].includes(k6.code), `k6 exit ${k6.code}: ${k6.stderr.slice(-400)}`);
    // Two scrapes and two rule evaluations after the last request (5 s interval each).
    await sleep(12_000);
    to = Date.now() / 1000;
  });

  it('every dashboard panel and recording rule returns data; every annotation and alert expression is valid', async () => {
    const { checked, failed, empty } = await checkQueriesAgainst(cfg, from, to);
    assert.ok(checked.length >= 60, `only ${checked.length} expressions found`);
    assert.deepEqual(
      failed.map(({ query, error }) => `${query.id}: ${error}`),
      [],
      'expressions Prometheus refused',
    );
    assert.deepEqual(
      empty.map((q) => `${q.id}: ${q.expr}`),
      [],
      'expressions that returned no data after the load',
    );
  });
});
