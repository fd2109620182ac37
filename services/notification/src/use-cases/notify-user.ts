import { AppError, type DbClient, redactText } from '@faultline/platform';
import type { Deps } from '../deps.js';
import { type Attempt, recordFailed, recordSent } from '../store/notifications.js';
import { findRecipient } from '../store/recipients.js';
import type { Recipient, Template } from '../templates.js';

/** An event that concerns one user: its id (the message's reference) and the user it is about. */
export interface UserEvent<T> {
  id: string;
  userId: string;
  data: T;
}

/**
 * Tell a user about an event, outside any transaction: find them in our projection, render the
 * template, send it. Returns the attempt for {@link recordDelivery} to record.
 *
 * An event for a user the projection does not know yet (an order confirmed before its
 * `user.registered` arrived) throws: the consumer redelivers it on its retry schedule, by when
 * the registration has usually caught up; if it never does, the event ends in the dead-letter queue.
 */
export async function notifyUser<T>(deps: Deps, event: UserEvent<T>, template: Template<T>): Promise<Attempt> {
  const recipient = await findRecipient(deps.pool, event.userId);
  if (!recipient) {
    deps.metrics.failed.inc({ channel: template.channel, template: template.name, reason: 'unknown-recipient' });
    throw new AppError('recipient-unknown', 404, 'Recipient not known yet', {
      detail: `no user.registered seen for user ${event.userId}; retried later`,
      catastrophic: false,
    });
  }
  return send(deps, event, recipient, template);
}

/**
 * Send the rendered message through the provider, holding no database connection meanwhile (a
 * burst against a slow provider must not hold the pool). A failure is recorded in the history and
 * rethrown, so the consumer retries. A redelivery resends with the same reference, and the
 * provider delivers it once.
 */
export async function send<T>(deps: Deps, event: UserEvent<T>, recipient: Recipient, template: Template<T>): Promise<Attempt> {
  const { subject, body } = template.render(recipient, event.data);
  const attempt: Attempt = {
    userId: recipient.userId,
    eventId: event.id,
    template: template.name,
    channel: template.channel,
    to: recipient.email,
    subject,
    body,
  };
  try {
    await deps.provider.send({ channel: attempt.channel, to: attempt.to, subject, body, reference: event.id });
  } catch (error) {
    deps.metrics.failed.inc({ channel: template.channel, template: template.name, reason: 'provider' });
    const reason = redactText(error instanceof AppError ? `${error.errorName}: ${error.detail ?? error.message}` : String(error)).slice(0, 500);
    await recordFailed(deps.pool, attempt, reason).catch((recordError: unknown) =>
      deps.logger.error('failed attempt not recorded', { eventId: event.id, error: recordError instanceof Error ? recordError : undefined }),
    );
    throw error;
  }
  return attempt;
}

/**
 * Record a sent message in the handler's transaction, which also records the message id: a
 * duplicate delivery then finds the id and sends nothing.
 */
export async function recordDelivery(deps: Deps, tx: DbClient, attempt: Attempt): Promise<void> {
  await recordSent(tx, attempt);
  deps.metrics.sent.inc({ channel: attempt.channel, template: attempt.template });
  deps.logger.info('notification sent', { eventId: attempt.eventId, userId: attempt.userId, template: attempt.template, channel: attempt.channel });
}
