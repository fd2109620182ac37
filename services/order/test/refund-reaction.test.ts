import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rabbitmqUrl } from '@faultline/lab';
import { eventually, lab as labConfig } from '@faultline/lab/testing';
import { connectBroker, createEnvelope, createLogger, createPublisher, type Publisher } from '@faultline/platform';
import { type Order, type OrderLab, startOrderLab } from './support.js';

describe('order reacts to payment.refunded, so order and payment never disagree (component: real database and broker)', () => {
  let lab: OrderLab;
  let token: string;
  let publisher: Publisher;
  let closeBroker: () => Promise<void>;
  const userId = randomUUID();
  const widget = randomUUID();

  before(async () => {
    lab = await startOrderLab({ [widget]: { stock: 100, price: 1250 } });
    token = await lab.tokens.sign(userId);
    const logger = createLogger({ service: 'refund-test', silent: true });
    const broker = connectBroker(rabbitmqUrl(labConfig()), { logger, name: 'refund-test-publisher' });
    publisher = createPublisher(broker, { logger, exchange: lab.exchange });
    await publisher.waitUntilReady();
    closeBroker = async () => {
      await publisher.close();
      await broker.close();
    };
    await eventually('the consumers to subscribe', async () => lab.service.consumers.every((c) => c.active) || undefined);
  });
  after(async () => {
    await closeBroker?.();
    await lab?.close();
  });

  const order = async (orderId: string) => (await lab.call<Order>('GET', `/v1/orders/${orderId}`, { token })).body;
  const refundedAtPayment = (o: Order) =>
    publisher.publish({
      envelope: createEnvelope('payment.refunded', { paymentId: o.paymentId as string, orderId: o.orderId, userId, amount: 2500, currency: 'EUR' }),
    });

  it('a refund made at payment on a confirmed order cancels it as payment-refunded and marks it refunded', async () => {
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 2 }], cardToken: 'tok_visa' });
    assert.equal(answer.body.status, 'confirmed');
    await refundedAtPayment(answer.body);
    const after = await eventually('the order to learn of the refund', async () => {
      const o = await order(answer.body.orderId);
      return o.status === 'cancelled' ? o : undefined;
    });
    assert.equal(after.cancelReason, 'payment-refunded');
    assert.equal(after.refunded, true);
    const event = await lab.publishedAbout('order.cancelled', answer.body.orderId);
    assert.deepEqual(event.data, { orderId: answer.body.orderId, userId, reason: 'payment-refunded', refunded: true });
  });

  it("the saga's own refund, announced again, changes nothing", async () => {
    const answer = await lab.checkout(token, randomUUID(), { items: [{ productId: widget, quantity: 1 }], cardToken: 'tok_visa' });
    await refundedAtPayment(answer.body);
    const cancelled = await eventually('the first refund to land', async () => {
      const o = await order(answer.body.orderId);
      return o.refunded ? o : undefined;
    });
    await refundedAtPayment(answer.body);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await order(answer.body.orderId)).version, cancelled.version, 'no event appended for a refund already recorded');
  });
});
