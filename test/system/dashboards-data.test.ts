import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEST_CARD_TOKENS } from '@faultline/contracts';
import { prometheusUrl } from '@faultline/lab';
import { allQueries, type PromQuery } from '../../dashboards/src/queries.js';
import { runLoad } from '../../packages/lab/src/topology/load.js';
import { cfg, checkout, ensureShop, finalOrder, newCustomer, PRODUCTS } from './lab.js';

interface RangeAnswer {
  status: string;
  error?: string;
  data?: { result: { values: [number, string][] }[] };
}

/** Run `expr` over [from, to] as Grafana would draw it; how many drawable (finite) points it returned, or the error. */
async function points(expr: string, from: number, to: number): Promise<number | string> {
  const url = new URL('/api/v1/query_range', prometheusUrl(cfg));
  for (const [key, value] of Object.entries({ query: expr, start: from.toFixed(3), end: to.toFixed(3), step: '5' })) url.searchParams.set(key, value);
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(15_000) })).json()) as RangeAnswer;
  if (body.status !== 'success') return body.error ?? body.status;
  return (body.data?.result ?? []).reduce((n, series) => n + series.values.filter(([, v]) => Number.isFinite(Number(v))).length, 0);
}

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
    const queries = await allQueries();
    assert.ok(queries.length >= 60, `only ${queries.length} expressions found`);
    const answers = await Promise.all(queries.map(async (q) => ({ q, answer: await points(q.expr, from, to) })));
    const failed = answers.filter(({ answer }) => typeof answer === 'string').map(({ q, answer }) => `${q.id}: ${answer}`);
    const empty = answers.filter(({ q, answer }) => q.expectData && answer === 0).map(({ q }: { q: PromQuery }) => `${q.id}: ${q.expr}`);
    assert.deepEqual(failed, [], 'expressions Prometheus refused');
    assert.deepEqual(empty, [], 'expressions that returned no data after the load');
  });
});
