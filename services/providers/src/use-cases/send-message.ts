import type { ProviderMessageRequest } from '@faultline/contracts';
import type { DbPool, Logger } from '@faultline/platform';
import { insertMessage } from '../store/messages.js';

/** Accept a message for delivery; the same reference, recipient and channel is one message. */
export async function sendMessage(deps: { pool: DbPool; logger: Logger }, message: ProviderMessageRequest): Promise<{ messageId: string; duplicate: boolean }> {
  const result = await insertMessage(deps.pool, message);
  // Never the recipient or the body: they are personal data.
  deps.logger.info('message accepted', { messageId: result.messageId, channel: message.channel, reference: message.reference, duplicate: result.duplicate });
  return result;
}
