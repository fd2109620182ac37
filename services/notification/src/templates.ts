import type { EventData } from '@faultline/contracts';
import { redactText } from '@faultline/platform';

/** The person a message is for, from the service's own projection of `user.registered`. */
export interface Recipient {
  userId: string;
  email: string;
  name: string;
}

export type Channel = 'email' | 'sms';

/** A rendered message, before it has an address. Never carries secrets or card data. */
export interface Rendered {
  subject: string;
  body: string;
}

/** A named message for one kind of event: how to word it for a recipient. */
export interface Template<T> {
  readonly name: string;
  /** Only email for now: `user.registered` carries no phone number to send an SMS to. */
  readonly channel: Channel;
  render(to: Recipient, data: T): Rendered;
}

const email = <T>(name: string, render: (to: Recipient, data: T) => Rendered): Template<T> => ({ name, channel: 'email', render });

const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });
/** Integer cents as a euro amount, e.g. 123456 → "€1,234.56". */
export const formatEuros = (cents: number) => euros.format(cents / 100);

/** The first block of a UUID: short enough for a subject line, long enough to tell orders apart. */
const shortId = (id: string) => id.slice(0, 8);

const SIGNATURE = '\n\n— The Faultline shop';

const CANCEL_REASONS: Record<EventData<'order.cancelled'>['reason'], string> = {
  'out-of-stock': 'an item in it is out of stock',
  'payment-declined': 'the payment was declined',
  'payment-failed': 'the payment could not be processed',
  'payment-mismatch': 'the payment did not match the order (it has been refunded)',
  'payment-refunded': 'the payment was refunded',
  'saga-timeout': 'it could not be completed in time',
  'customer-request': 'you asked us to cancel it',
};

export const templates = {
  welcome: email<EventData<'user.registered'>>('welcome', (to) => ({
    subject: `Welcome to Faultline, ${to.name}`,
    body: `Hi ${to.name},\n\nthanks for registering. Your account is ready.${SIGNATURE}`,
  })),

  orderConfirmed: email<EventData<'order.confirmed'>>('order-confirmed', (to, order) => {
    const items = order.items.reduce((sum, line) => sum + line.quantity, 0);
    return {
      subject: `Your order ${shortId(order.orderId)} is confirmed`,
      body: `Hi ${to.name},\n\nyour order ${order.orderId} is confirmed: ${items} item${items === 1 ? '' : 's'}, total ${formatEuros(order.total)}.${SIGNATURE}`,
    };
  }),

  orderCancelled: email<EventData<'order.cancelled'>>('order-cancelled', (to, order) => ({
    subject: `Your order ${shortId(order.orderId)} was cancelled`,
    body:
      `Hi ${to.name},\n\nyour order ${order.orderId} was cancelled because ${CANCEL_REASONS[order.reason]}.` +
      `${order.refunded ? ' Any amount charged will be refunded.' : ''}${SIGNATURE}`,
  })),

  // The processor's reason is free text: masked like a log line, so a card number can never leak.
  paymentDeclined: email<EventData<'payment.declined'>>('payment-declined', (to, payment) => ({
    subject: `Payment for order ${shortId(payment.orderId)} was declined`,
    body:
      `Hi ${to.name},\n\nyour payment of ${formatEuros(payment.amount)} for order ${payment.orderId} was declined` +
      ` (${redactText(payment.reason) || 'no reason given'}). No money was taken.${SIGNATURE}`,
  })),

  refundIssued: email<EventData<'payment.refunded'>>('refund-issued', (to, refund) => ({
    subject: `Refund for order ${shortId(refund.orderId)}`,
    body: `Hi ${to.name},\n\nwe refunded ${formatEuros(refund.amount)} for order ${refund.orderId}. It may take a few days to show on your statement.${SIGNATURE}`,
  })),
};
