import type { ProviderMessageRequest } from '@faultline/contracts';
import { createDependencyPolicy, createHttpClient, type RuntimeKit } from '@faultline/platform';
import { type NotificationConfig, providerPolicySettings } from './config.js';

/** The external message sink (the providers service). */
export interface MessageProvider {
  /** Resolves once the provider accepted the message; rejects with the platform's dependency errors. */
  send(message: ProviderMessageRequest): Promise<void>;
}

/** One shared `providers` policy and client for the whole service. */
export function createMessageProvider(config: NotificationConfig, kit: RuntimeKit): MessageProvider {
  const policy = createDependencyPolicy({
    name: 'providers',
    mode: config.RESILIENCE_MODE,
    settings: providerPolicySettings(config),
    logger: kit.logger,
    registry: kit.metrics.registry,
    deadlineMs: config.PROVIDERS_DEADLINE_MS,
    knockout: config.FAULTLINE_KNOCKOUT,
  });
  const http = createHttpClient({
    name: 'providers',
    baseUrl: config.PROVIDERS_URL,
    policy,
    logger: kit.logger,
    defaultTimeoutMs: config.PROVIDERS_DEADLINE_MS,
  });
  return {
    async send(message) {
      // The reference (the event id) is also the idempotency key: a resend is delivered once, and
      // carrying a key is what makes the POST safe for the policy to retry.
      await http.post('/v1/messages', message, { idempotencyKey: message.reference });
    },
  };
}
