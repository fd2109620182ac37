import { eventSchemas } from '@faultline/contracts';
import { defineHandler, type MessageHandler } from '@faultline/platform';
import { templates } from '../templates.js';
import type { Deps } from '../use-cases/deps.js';
import { notifyUser } from '../use-cases/notify-user.js';
import { welcomeUser } from '../use-cases/welcome-user.js';

/** The consumer purpose: the queue is `<service>.events`, its dead-letter queue `<service>.events.dlq`. */
export const EVENTS_PURPOSE = 'events';

/**
 * One handler per routing key. `payment.authorized` is not consumed: the order confirmation that
 * follows it is the message the customer gets.
 */
export function eventHandlers(deps: Deps): Record<string, MessageHandler<unknown>> {
  return {
    'user.registered': defineHandler(eventSchemas['user.registered'], (event, tx) => welcomeUser(deps, tx, event)),
    'order.confirmed': defineHandler(eventSchemas['order.confirmed'], (event, tx) =>
      notifyUser(deps, tx, { id: event.id, userId: event.data.userId, data: event.data }, templates.orderConfirmed),
    ),
    'order.cancelled': defineHandler(eventSchemas['order.cancelled'], (event, tx) =>
      notifyUser(deps, tx, { id: event.id, userId: event.data.userId, data: event.data }, templates.orderCancelled),
    ),
    'payment.declined': defineHandler(eventSchemas['payment.declined'], (event, tx) =>
      notifyUser(deps, tx, { id: event.id, userId: event.data.userId, data: event.data }, templates.paymentDeclined),
    ),
    'payment.refunded': defineHandler(eventSchemas['payment.refunded'], (event, tx) =>
      notifyUser(deps, tx, { id: event.id, userId: event.data.userId, data: event.data }, templates.refundIssued),
    ),
  };
}
