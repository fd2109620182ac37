import { z } from 'zod';

/** `on` applies every policy; `off` calls the dependency bare (metrics of the calls are kept). */
export const resilienceModeSchema = z.enum(['on', 'off']);
export type ResilienceMode = z.infer<typeof resilienceModeSchema>;

const retrySchema = z
  .object({
    /** Attempts in all, the first call included (resilience4j's meaning); 1 disables retries. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    initialDelayMs: z.number().int().min(0).default(100),
    maxDelayMs: z.number().int().min(0).default(2_000),
    exponent: z.number().min(1).default(2),
  })
  .refine((r) => r.initialDelayMs <= r.maxDelayMs, { message: 'initialDelayMs must not exceed maxDelayMs', path: ['initialDelayMs'] });

const breakerSchema = z
  .object({
    /** Failure rate (0..1, exclusive) over the window above which the circuit opens. */
    threshold: z.number().gt(0).lt(1).default(0.5),
    /** Size of the count-based sliding window, in calls (attempts). */
    size: z.number().int().min(1).default(20),
    /** Calls the window needs before the rate is judged. */
    minimumCalls: z.number().int().min(1).default(10),
    /** How long the circuit stays open before one probe call may try (half-open). */
    halfOpenAfterMs: z.number().int().min(1).default(5_000),
  })
  .refine((b) => b.minimumCalls <= b.size, { message: 'minimumCalls must not exceed size', path: ['minimumCalls'] });

const bulkheadSchema = z.object({
  maxConcurrent: z.number().int().min(1).default(25),
  /** Calls that may wait for a slot; beyond that they are rejected at once. */
  maxQueue: z.number().int().min(0).default(10),
});

/**
 * The policy settings of one dependency. Every field has a default, so `{}` is valid;
 * `parse` fills in the rest.
 */
export const policySettingsSchema = z.object({
  /** Timeout of each attempt, in ms; the attempt is cancelled when it expires. */
  timeoutMs: z.number().int().min(1).default(2_000),
  retry: retrySchema.prefault({}),
  breaker: breakerSchema.prefault({}),
  bulkhead: bulkheadSchema.prefault({}),
});

/** Complete settings, as the policy uses them. */
export type PolicySettings = z.infer<typeof policySettingsSchema>;
/** Settings as written in a service's config: any field may be left out. */
export type PolicySettingsInput = z.input<typeof policySettingsSchema>;

/** The defaults, for documentation and for tests. */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = policySettingsSchema.parse({});
