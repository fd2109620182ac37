import { authConfigShape, ConfigError, type PolicySettingsInput, policySettingsSchema, type RuntimeConfig, runtimeConfigShape } from '@faultline/platform';
import { z } from 'zod';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

/**
 * Payment's settings. The `PROVIDERS_*` variables are the one place the card processor's policy
 * is tuned (timeout per attempt, retries, breaker, bulkhead, deadline of a whole call).
 */
export const configShape = {
  ...runtimeConfigShape,
  PROVIDERS_URL: z.url(),
  ...authConfigShape,
  PROVIDERS_TIMEOUT_MS: int(2000, 1),
  PROVIDERS_RETRY_MAX_ATTEMPTS: int(3, 1),
  PROVIDERS_RETRY_INITIAL_DELAY_MS: int(100),
  PROVIDERS_RETRY_MAX_DELAY_MS: int(1000),
  PROVIDERS_BREAKER_THRESHOLD: z.coerce.number().gt(0).lt(1).default(0.5),
  PROVIDERS_BREAKER_WINDOW: int(20, 1),
  PROVIDERS_BREAKER_MIN_CALLS: int(10, 1),
  PROVIDERS_BREAKER_HALF_OPEN_MS: int(5000, 1),
  PROVIDERS_BULKHEAD_MAX_CONCURRENT: int(25, 1),
  PROVIDERS_BULKHEAD_MAX_QUEUE: int(10),
  /** Deadline of one whole call to providers, every attempt and backoff included. */
  PROVIDERS_DEADLINE_MS: int(8000, 1),
};

export type PaymentConfig = RuntimeConfig & z.infer<z.ZodObject<typeof configShape>>;

/** The providers policy from the `PROVIDERS_*` variables; a ConfigError names them when they do not fit together. */
export function providersPolicySettings(config: PaymentConfig): PolicySettingsInput {
  const settings = {
    timeoutMs: config.PROVIDERS_TIMEOUT_MS,
    retry: {
      maxAttempts: config.PROVIDERS_RETRY_MAX_ATTEMPTS,
      initialDelayMs: config.PROVIDERS_RETRY_INITIAL_DELAY_MS,
      maxDelayMs: config.PROVIDERS_RETRY_MAX_DELAY_MS,
    },
    breaker: {
      threshold: config.PROVIDERS_BREAKER_THRESHOLD,
      size: config.PROVIDERS_BREAKER_WINDOW,
      minimumCalls: config.PROVIDERS_BREAKER_MIN_CALLS,
      halfOpenAfterMs: config.PROVIDERS_BREAKER_HALF_OPEN_MS,
    },
    bulkhead: { maxConcurrent: config.PROVIDERS_BULKHEAD_MAX_CONCURRENT, maxQueue: config.PROVIDERS_BULKHEAD_MAX_QUEUE },
  };
  const checked = policySettingsSchema.safeParse(settings);
  if (!checked.success)
    throw new ConfigError(checked.error.issues.map((issue) => `PROVIDERS_* policy setting ${issue.path.join('.')} is invalid: ${issue.message}`));
  return settings;
}
