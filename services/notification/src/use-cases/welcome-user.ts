import type { EventData } from '@faultline/contracts';
import type { Deps } from '../deps.js';
import type { Attempt } from '../store/notifications.js';
import { saveRecipient } from '../store/recipients.js';
import { templates } from '../templates.js';
import { send } from './notify-user.js';

/** A user registered: remember how to reach them, and welcome them (outside any transaction). */
export async function welcomeUser(deps: Deps, event: { id: string; data: EventData<'user.registered'> }): Promise<Attempt> {
  const recipient = { userId: event.data.userId, email: event.data.email, name: event.data.name };
  // Committed on its own (an idempotent upsert), so the user's order messages can be addressed
  // even while the welcome message is still being retried.
  await saveRecipient(deps.pool, recipient);
  return send(deps, { id: event.id, userId: recipient.userId, data: event.data }, recipient, templates.welcome);
}
