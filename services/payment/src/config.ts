import { authConfigShape, type DependencyDeclarations, dependencyConfigShape, type RuntimeConfig, runtimeConfigShape } from '@faultline/platform';
import type { z } from 'zod';

/** What payment calls: configured by `PROVIDERS_URL`, `PROVIDERS_POLICY` and `PROVIDERS_DEADLINE_MS` (the platform's one convention). */
export const PAYMENT_DEPENDENCIES = {
  providers: {
    description: 'the card processor: charges (one per order, by idempotency key), lookups by reference, refunds',
    // A charge takes the processor tens of milliseconds: 4 at once is ~100 charges a second, four times what the shop sustains.
    // The bulkhead keeps a slow processor from tying up every request payment serves (payment-slow-bulkheads saturates it).
    policy: { retry: { maxDelayMs: 1000 }, bulkhead: { maxConcurrent: 4, maxQueue: 4 } },
    deadlineMs: 8000,
  },
} as const satisfies DependencyDeclarations;

/** Payment's settings; each is the environment variable of the same name. */
export const configShape = {
  ...runtimeConfigShape,
  ...dependencyConfigShape(PAYMENT_DEPENDENCIES),
  ...authConfigShape,
};

export type PaymentConfig = RuntimeConfig & z.infer<z.ZodObject<typeof configShape>>;
