import { eventSchemas } from '@faultline/contracts';
import { definePreparedHandler, type MessageHandler } from '@faultline/platform';
import type { z } from 'zod';
import type { Deps } from '../deps.js';
import { type Template, templates } from '../templates.js';
import { notifyUser, recordDelivery } from '../use-cases/notify-user.js';
import { welcomeUser } from '../use-cases/welcome-user.js';

/** The consumer purpose: the queue is `<service>.events`, its dead-letter queue `<service>.events.dlq`. */
export const EVENTS_PURPOSE = 'events';

/**
 * One handler per routing key, each in two parts: the message is sent with no database connection
 * held, then recorded in the transaction that marks the event processed. `payment.authorized` is not consumed: the order confirmation that
 * follows it is the message the customer gets.
 */
export function eventHandlers(deps: Deps): Record<string, MessageHandler<unknown>> {
  const record = (_event: unknown, tx: Parameters<typeof recordDelivery>[1], attempt: Parameters<typeof recordDelivery>[2]) =>
    recordDelivery(deps, tx, attempt);
  // An event about one user: tell them, in the template for its routing key.
  const notify = <T extends { userId: string }>(schema: z.ZodType<T>, template: Template<T>) =>
    definePreparedHandler(schema, (event) => notifyUser(deps, { id: event.id, userId: event.data.userId, data: event.data }, template), record);
  return {
    'user.registered': definePreparedHandler(eventSchemas['user.registered'], (event) => welcomeUser(deps, event), record),
    'order.confirmed': notify(eventSchemas['order.confirmed'], templates.orderConfirmed),
    'order.cancelled': notify(eventSchemas['order.cancelled'], templates.orderCancelled),
    'payment.declined': notify(eventSchemas['payment.declined'], templates.paymentDeclined),
    'payment.refunded': notify(eventSchemas['payment.refunded'], templates.refundIssued),
  };
}
