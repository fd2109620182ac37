import assert from 'node:assert/strict';
import { applyNew, type OrderState } from '../src/domain/order.js';
import type { OrderEvent } from '../src/domain/order-events.js';
import { advance, resumeStep, retryDelayMs, type Saga, type SagaPolicy, type SagaStep, type StepOutcome, timeoutTransition } from '../src/domain/saga.js';

const orderId = '5b0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c11';
const reservationId = '6c0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c12';
const paymentId = '7d0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c13';
const product = '8e0e5c1e-6f1a-4d55-9a57-1c5b8e0c7c14';

// Fake time and a fixed jitter: every delay is exactly three quarters of the exponential.
const started = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));
const at = (ms: number) => new Date(started.getTime() + ms);
const policy: SagaPolicy = { retryBaseMs: 1000, retryMaxMs: 8000, timeoutMs: 600_000, random: () => 0.5 };

const history: Record<string, OrderEvent[]> = {
  placed: [{ type: 'OrderPlaced', data: { userId: 'u-1', items: [{ productId: product, quantity: 2 }], reservationId } }],
  reserved: [{ type: 'StockReserved', data: { reservationId, items: [{ productId: product, quantity: 2, unitPrice: 1250 }], total: 2500 } }],
  captured: [{ type: 'PaymentCaptured', data: { paymentId, amount: 2500 } }],
};
const orderAfter = (...stages: string[]): OrderState =>
  applyNew(
    orderId,
    undefined,
    stages.flatMap((s) => history[s] ?? []),
    started,
  ) as OrderState;
const paid: StepOutcome = { kind: 'captured', paymentId, amount: 2500, currency: 'EUR', userId: 'u-1' };
const saga = (step: SagaStep, extra: Partial<Saga> = {}): Saga => ({ orderId, step, attempts: 0, cancelReason: null, startedAt: started, ...extra });
const go = (s: Saga, order: OrderState, outcome: StepOutcome, now = at(1000)) => advance(s, order, outcome, now, policy);

describe('the checkout saga state machine', () => {
  describe('going forward', () => {
    it('reserves, then charges the reserved total', () => {
      const t = go(saga('reserve-stock'), orderAfter('placed'), {
        kind: 'reserved',
        reservationId,
        items: [{ productId: product, quantity: 2, unitPrice: 1250 }],
      });
      assert.equal(t.step, 'charge-payment');
      assert.equal(t.retryAt, null);
      assert.deepEqual(t.events, history.reserved);
    });

    it('commits the stock once the payment is captured, then confirms', () => {
      const charged = go(saga('charge-payment'), orderAfter('placed', 'reserved'), paid);
      assert.equal(charged.step, 'commit-stock');
      assert.deepEqual(charged.events, history.captured);
      const committed = go(saga('commit-stock'), orderAfter('placed', 'reserved', 'captured'), { kind: 'committed' });
      assert.equal(committed.step, 'done');
      assert.deepEqual(
        committed.events.map((e) => e.type),
        ['StockCommitted', 'OrderConfirmed'],
      );
    });
  });

  describe('checking the captured payment against the order', () => {
    for (const [what, differs] of [
      ['amount', { amount: 1 }],
      ['currency', { currency: 'USD' }],
      ['user', { userId: 'u-2' }],
    ] as const) {
      it(`refunds a captured payment whose ${what} is not the order's, then releases the stock and cancels with payment-mismatch`, () => {
        const t = go(saga('charge-payment'), orderAfter('placed', 'reserved'), { ...paid, ...differs } as StepOutcome);
        assert.equal(t.step, 'refund-payment');
        assert.equal(t.cancelReason, 'payment-mismatch');
        assert.equal(t.compensation, 'payment-mismatch');
        assert.match(t.lastError ?? '', new RegExp(`payment does not match the order: ${what}`));
        assert.deepEqual(t.events, [{ type: 'PaymentCaptured', data: { paymentId, amount: (differs as { amount?: number }).amount ?? 2500 } }]);
        const refunded = go(
          saga('refund-payment', { cancelReason: t.cancelReason }),
          applyNew(orderId, orderAfter('placed', 'reserved'), t.events, started) as OrderState,
          {
            kind: 'refunded',
            paymentId,
          },
        );
        assert.equal(refunded.step, 'release-stock');
        const released = go(saga('release-stock', { cancelReason: t.cancelReason }), orderAfter('placed', 'reserved'), { kind: 'released' });
        assert.deepEqual(released.events.at(-1), { type: 'OrderCancelled', data: { reason: 'payment-mismatch', refunded: false } });
      });
    }

    it('also when payment is asked after an unknown outcome', () => {
      assert.equal(go(saga('verify-payment'), orderAfter('placed', 'reserved'), { ...paid, amount: 2499 } as StepOutcome).cancelReason, 'payment-mismatch');
    });
  });

  describe('compensating', () => {
    it('cancels at once when the stock is unavailable: nothing held, nobody charged', () => {
      const t = go(saga('reserve-stock'), orderAfter('placed'), { kind: 'items-unavailable', detail: 'out-of-stock' });
      assert.equal(t.step, 'done');
      assert.equal(t.compensation, 'out-of-stock');
      assert.deepEqual(t.events, [{ type: 'OrderCancelled', data: { reason: 'out-of-stock', refunded: false } }]);
    });

    it('releases the stock when the payment is declined, then cancels with payment-declined', () => {
      const declined = go(saga('charge-payment'), orderAfter('placed', 'reserved'), { kind: 'declined', reason: 'card declined' });
      assert.equal(declined.step, 'release-stock');
      assert.equal(declined.cancelReason, 'payment-declined');
      assert.equal(declined.compensation, 'payment-declined');
      const order = applyNew(orderId, orderAfter('placed', 'reserved'), declined.events, started) as OrderState;
      const released = go(saga('release-stock', { cancelReason: 'payment-declined' }), order, { kind: 'released' });
      assert.equal(released.step, 'done');
      assert.equal(released.compensation, null, 'the compensation is counted once');
      assert.deepEqual(released.events.at(-1), { type: 'OrderCancelled', data: { reason: 'payment-declined', refunded: false } });
    });

    it('refunds and releases when the reservation cannot be committed after the payment', () => {
      const rejected = go(saga('commit-stock'), orderAfter('placed', 'reserved', 'captured'), { kind: 'commit-rejected', detail: 'reservation-expired' });
      assert.equal(rejected.step, 'refund-payment');
      const refunded = go(saga('refund-payment', { cancelReason: 'out-of-stock' }), orderAfter('placed', 'reserved', 'captured'), {
        kind: 'refunded',
        paymentId,
      });
      assert.equal(refunded.step, 'release-stock');
      const order = applyNew(orderId, orderAfter('placed', 'reserved', 'captured'), refunded.events, started) as OrderState;
      const released = go(saga('release-stock', { cancelReason: 'out-of-stock' }), order, { kind: 'released' });
      assert.deepEqual(released.events.at(-1), { type: 'OrderCancelled', data: { reason: 'out-of-stock', refunded: true } });
    });
  });

  describe('an unknown charge outcome', () => {
    it('is resolved by asking payment later, never by charging again', () => {
      const t = go(saga('charge-payment'), orderAfter('placed', 'reserved'), { kind: 'outcome-unknown', detail: 'dependency-timeout' });
      assert.equal(t.step, 'verify-payment');
      assert.deepEqual(t.retryAt, at(1000 + 750));
      assert.deepEqual(t.events, []);
    });

    it('continues from what payment says: captured → commit, declined → release, missing → charge again', () => {
      const order = orderAfter('placed', 'reserved');
      assert.equal(go(saga('verify-payment'), order, paid).step, 'commit-stock');
      assert.equal(go(saga('verify-payment'), order, { kind: 'declined', reason: 'x' }).step, 'release-stock');
      assert.equal(go(saga('verify-payment'), order, { kind: 'payment-missing' }).step, 'charge-payment');
    });

    it('keeps asking with growing delays while payment is unreachable', () => {
      const order = orderAfter('placed', 'reserved');
      const delays = [0, 1, 2, 3, 4].map((attempts) => {
        const t = go(saga('verify-payment', { attempts }), order, { kind: 'unreachable', detail: 'circuit-open' }, at(0));
        assert.equal(t.step, 'verify-payment');
        assert.equal(t.attempts, attempts + 1);
        return (t.retryAt?.getTime() ?? 0) - started.getTime();
      });
      assert.deepEqual(delays, [750, 1500, 3000, 6000, 6000]);
    });

    it('is resumed by asking payment when an attempt to charge is interrupted', () => {
      assert.equal(resumeStep('charge-payment'), 'verify-payment');
      assert.equal(resumeStep('commit-stock'), 'commit-stock');
      assert.equal(resumeStep('reserve-stock'), 'reserve-stock');
    });
  });

  describe('the saga timeout', () => {
    const late = at(policy.timeoutMs + 1);

    it('does nothing before the bound', () => {
      assert.equal(timeoutTransition(saga('reserve-stock'), at(policy.timeoutMs - 1), policy), undefined);
    });

    it('releases what may be held when the saga is stuck before a charge', () => {
      for (const step of ['reserve-stock', 'charge-payment'] as const) {
        const t = timeoutTransition(saga(step), late, policy);
        assert.equal(t?.step, 'release-stock');
        assert.equal(t?.cancelReason, 'saga-timeout');
      }
    });

    it('refunds when the payment was captured but the stock never committed', () => {
      assert.equal(timeoutTransition(saga('commit-stock'), late, policy)?.step, 'refund-payment');
    });

    it('never abandons a charge in doubt: it keeps asking payment, then refunds if it was captured', () => {
      const t = timeoutTransition(saga('verify-payment'), late, policy);
      assert.equal(t?.step, 'verify-payment');
      const captured = go(saga('verify-payment', { cancelReason: 'saga-timeout' }), orderAfter('placed', 'reserved'), paid, late);
      assert.equal(captured.step, 'refund-payment');
      const missing = go(saga('verify-payment', { cancelReason: 'saga-timeout' }), orderAfter('placed', 'reserved'), { kind: 'payment-missing' }, late);
      assert.equal(missing.step, 'release-stock');
    });

    it('does not interrupt a compensation already under way', () => {
      assert.equal(timeoutTransition(saga('release-stock', { cancelReason: 'payment-declined' }), late, policy), undefined);
      assert.equal(timeoutTransition(saga('refund-payment', { cancelReason: 'out-of-stock' }), late, policy), undefined);
    });
  });

  it('refuses an outcome that does not belong to the step', () => {
    assert.throws(() => go(saga('reserve-stock'), orderAfter('placed'), { kind: 'committed' }), /cannot handle/);
  });

  it('caps the retry delay with jitter between half and all of it', () => {
    const low = retryDelayMs({ ...policy, random: () => 0 }, 10);
    const high = retryDelayMs({ ...policy, random: () => 1 }, 10);
    assert.deepEqual([low, high], [4000, 8000]);
  });
});
