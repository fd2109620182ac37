import type { ProviderMessageRequest } from '@faultline/contracts';
import { buildDependencies, type RuntimeKit } from '@faultline/platform';
import { NOTIFICATION_DEPENDENCIES, type NotificationConfig } from './config.js';

/** The external message sink (the providers service). */
export interface MessageProvider {
  /** Resolves once the provider accepted the message; rejects with the platform's dependency errors. */
  send(message: ProviderMessageRequest): Promise<void>;
}

/** One shared `providers` policy and client for the whole service. */
export function createMessageProvider(config: NotificationConfig, kit: RuntimeKit): MessageProvider {
  const { http } = buildDependencies(NOTIFICATION_DEPENDENCIES, config, kit).providers;
  return {
    async send(message) {
      // The reference (the event id) is also the idempotency key: a resend is delivered once, and
      // carrying a key is what makes the POST safe for the policy to retry.
      await http.post('/v1/messages', message, { idempotencyKey: message.reference });
    },
  };
}
