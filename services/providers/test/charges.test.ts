import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type ProviderCharge, TEST_CARD_TOKENS } from '@faultline/contracts';
import { postJson, startProviders } from './support.js';

describe('providers: the fake card processor', () => {
  let providers: Awaited<ReturnType<typeof startProviders>>;
  before(async () => {
    providers = await startProviders();
  });
  after(() => providers?.stop());

  const charge = (body: Record<string, unknown>, key?: string) => postJson(`${providers.url}/v1/charges`, body, key);
  const request = (cardToken: string = TEST_CARD_TOKENS.success, reference = randomUUID()) => ({ amount: 2599, currency: 'EUR', cardToken, reference });
  const chargesOf = async (reference: string) =>
    ((await (await fetch(`${providers.url}/v1/charges?reference=${reference}`)).json()) as { charges: ProviderCharge[] }).charges;
  const problemName = async (response: Response) => ((await response.json()) as { name: string }).name;

  it('charges tok_visa once per idempotency key: a retry replays the same charge', async () => {
    const body = request();
    const first = await charge(body, 'key-1');
    assert.equal(first.status, 201);
    const created = (await first.json()) as ProviderCharge;
    assert.deepEqual(
      { ...created, chargeId: 'x' },
      { chargeId: 'x', reference: body.reference, amount: 2599, currency: 'EUR', status: 'succeeded', refundedAmount: 0 },
    );
    const retry = await charge(body, 'key-1');
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await retry.json(), created);
    assert.deepEqual(await chargesOf(body.reference), [created]);
  });

  it('charges once when the same key arrives concurrently', async () => {
    const body = request();
    const answers = await Promise.all(Array.from({ length: 5 }, () => charge(body, `key-${body.reference}`)));
    assert.deepEqual(
      answers.map((a) => a.status),
      [201, 201, 201, 201, 201],
    );
    const ids = new Set(await Promise.all(answers.map(async (a) => ((await a.json()) as ProviderCharge).chargeId)));
    assert.equal(ids.size, 1);
    assert.equal((await chargesOf(body.reference)).length, 1);
  });

  it('lists a reference charged under two keys on its statement (a customer charged twice), and not one charged once', async () => {
    const statement = async () =>
      (await (await fetch(`${providers.url}/v1/statement`)).json()) as {
        charges: number;
        references: number;
        repeated: { reference: string; charges: number; unrefunded: number; kept: number }[];
      };
    const before = await statement();
    const twice = request();
    const once = request();
    assert.equal((await charge(twice, `first-${twice.reference}`)).status, 201);
    assert.equal((await charge(twice, `second-${twice.reference}`)).status, 201);
    assert.equal((await charge(once, `only-${once.reference}`)).status, 201);
    const [refundable] = await chargesOf(twice.reference);
    const refund = await postJson(`${providers.url}/v1/charges/${refundable?.chargeId}/refunds`, { amount: 599 }, `refund-${twice.reference}`);
    assert.equal(refund.status, 201);
    const after = await statement();
    assert.deepEqual([after.charges - before.charges, after.references - before.references], [3, 2]);
    assert.deepEqual(
      after.repeated.filter((r) => r.reference === twice.reference || r.reference === once.reference),
      [{ reference: twice.reference, charges: 2, unrefunded: 2, kept: 2 * 2599 - 599 }],
    );
    const whole = await postJson(`${providers.url}/v1/charges/${refundable?.chargeId}/refunds`, { amount: 2000 }, `rest-${twice.reference}`);
    assert.equal(whole.status, 201);
    assert.deepEqual(
      (await statement()).repeated.find((r) => r.reference === twice.reference),
      { reference: twice.reference, charges: 2, unrefunded: 1, kept: 2599 },
      'a wholly refunded charge no longer counts as money taken',
    );
    const [, other] = await chargesOf(twice.reference);
    assert.equal((await postJson(`${providers.url}/v1/charges/${other?.chargeId}/refunds`, { amount: 2599 }, `last-${twice.reference}`)).status, 201);
    assert.equal(
      (await statement()).repeated.find((r) => r.reference === twice.reference),
      undefined,
      'keeping nothing, it is off the statement',
    );
  });

  it('answers 409 when a key is reused with a different request, and charges nothing more', async () => {
    const body = request();
    assert.equal((await charge(body, 'key-2')).status, 201);
    const reused = await charge({ ...body, amount: 1 }, 'key-2');
    assert.equal(reused.status, 409);
    assert.equal(await problemName(reused), 'idempotency-key-reused');
    assert.equal((await chargesOf(body.reference)).length, 1);
  });

  it('declines tok_declined with 402 card-declined, the same again on retry, and records no charge', async () => {
    const body = request(TEST_CARD_TOKENS.declined);
    for (const _ of [1, 2]) {
      const declined = await charge(body, 'key-3');
      assert.equal(declined.status, 402);
      assert.equal(declined.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      const problem = (await declined.json()) as { name: string; declineCode: string };
      assert.equal(problem.name, 'card-declined');
      assert.equal(problem.declineCode, 'card_declined');
    }
    assert.deepEqual(await chargesOf(body.reference), []);
  });

  it('fails tok_processor_error with 500 processor-error and keeps nothing, so the key can be retried', async () => {
    const body = request(TEST_CARD_TOKENS.failure);
    for (const _ of [1, 2]) {
      const failed = await charge(body, 'key-4');
      assert.equal(failed.status, 500);
      assert.equal(await problemName(failed), 'processor-error');
    }
    assert.deepEqual(await chargesOf(body.reference), []);
  });

  it('refuses an unknown card token (422) and a charge without an Idempotency-Key (400)', async () => {
    const unknown = await charge(request('tok_mastercard'), 'key-5');
    assert.equal(unknown.status, 422);
    assert.equal(await problemName(unknown), 'unknown-card-token');
    const keyless = await charge(request());
    assert.equal(keyless.status, 400);
    assert.equal(await problemName(keyless), 'idempotency-key-missing');
    const invalid = await charge({ ...request(), amount: 0 }, 'key-6');
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { detail: string }).detail, /amount/);
  });

  it('refunds up to the charged amount, idempotently by key, and refuses more (422)', async () => {
    const created = (await (await charge(request(), `key-${randomUUID()}`)).json()) as ProviderCharge;
    const refund = (amount: number, key: string) => postJson(`${providers.url}/v1/charges/${created.chargeId}/refunds`, { amount }, key);

    const partial = await refund(1000, 'refund-1');
    assert.equal(partial.status, 201);
    assert.deepEqual(
      { ...((await partial.json()) as object), refundId: 'x' },
      { refundId: 'x', chargeId: created.chargeId, amount: 1000, refundedAmount: 1000, status: 'succeeded' },
    );
    const replay = await refund(1000, 'refund-1');
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(((await replay.json()) as { refundedAmount: number }).refundedAmount, 1000, 'a replay refunds nothing more');

    const tooMuch = await refund(1600, 'refund-2');
    assert.equal(tooMuch.status, 422);
    const problem = (await tooMuch.json()) as { name: string; refundable: number };
    assert.deepEqual([problem.name, problem.refundable], ['refund-exceeds-charge', 1599]);

    const rest = await refund(1599, 'refund-3');
    assert.equal(((await rest.json()) as { status: string }).status, 'refunded');
    assert.equal((await refund(1, 'refund-4')).status, 422);
    const stored = (await (await fetch(`${providers.url}/v1/charges/${created.chargeId}`)).json()) as ProviderCharge;
    assert.deepEqual([stored.status, stored.refundedAmount], ['refunded', 2599]);

    const missing = await postJson(`${providers.url}/v1/charges/ch_nope/refunds`, { amount: 1 }, 'refund-5');
    assert.equal(missing.status, 404);
    assert.equal(await problemName(missing), 'charge-not-found');
  });

  it('keeps its charges and idempotency keys across a restart', async () => {
    const body = request();
    const created = (await (await charge(body, 'key-restart')).json()) as ProviderCharge;
    await providers.restart();
    assert.deepEqual(await (await charge(body, 'key-restart')).json(), created);
    assert.deepEqual(await chargesOf(body.reference), [created]);
  });
});
