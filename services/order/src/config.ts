import { authConfigShape, type DependencyDeclarations, dependencyConfigShape, type RuntimeConfig, runtimeConfigShape } from '@faultline/platform';
import { z } from 'zod';

const ms = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/** What order calls: configured by `<NAME>_URL`, `<NAME>_POLICY` and `<NAME>_DEADLINE_MS` (the platform's one convention). */
export const ORDER_DEPENDENCIES = {
  product: {
    description: "stock reservations of the checkout saga (reserve, commit, release) and the cart's product lookups",
    // Product answers in milliseconds: 10 calls at once is hundreds a second. The bulkhead keeps a slow product from piling calls up.
    policy: { bulkhead: { maxConcurrent: 10, maxQueue: 5 } },
    deadlineMs: 10_000,
    serviceToken: true,
  },
  payment: {
    description: "the saga's charge and refund, and the lookup that resolves an unknown outcome",
    // A charge (payment and its processor) takes ~50 ms: 8 at once is over 100 checkouts a second. A slow payment fills
    // the bulkhead and further charges wait briefly or are refused fast (the saga asks again later): payment-slow-bulkheads.
    // Twice payment's own bulkhead in front of the processor, so that one can be seen to hold when the processor is slow.
    policy: { bulkhead: { maxConcurrent: 8, maxQueue: 4 } },
    deadlineMs: 10_000,
    serviceToken: true,
  },
} as const satisfies DependencyDeclarations;
/** The order service's settings; each is the environment variable of the same name. */
export const configShape = {
  ...runtimeConfigShape,
  /** PRODUCT_* and PAYMENT_*: URL, policy and deadline of each dependency. */
  ...dependencyConfigShape(ORDER_DEPENDENCIES),
  /** JWKS_URL and the token settings; SERVICE_TOKEN_URL and SERVICE_CLIENT_SECRET obtain service tokens for product and payment. */
  ...authConfigShape,
  /** How long checkout runs the saga before answering 202 Accepted with the order pending. */
  CHECKOUT_SYNC_BUDGET_MS: ms(2_000),
  /** How often the saga worker looks for due sagas, and how many it claims at once. */
  SAGA_POLL_MS: ms(500),
  SAGA_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** How long a runner owns a saga before another instance may take it over (it renews at every step). */
  SAGA_LEASE_MS: ms(60_000),
  /** Backoff of a step whose dependency is unreachable: exponential from the base, capped. */
  SAGA_RETRY_BASE_MS: ms(500),
  SAGA_RETRY_MAX_MS: ms(30_000),
  /** A saga still going forward after this long compensates with reason saga-timeout. Keep it below product's hold TTL (HOLD_TTL_SEC, 900 s), so the saga gives up on its hold before product expires it. */
  SAGA_TIMEOUT_MS: ms(600_000),
};

export type OrderConfig = RuntimeConfig & z.infer<z.ZodObject<typeof configShape>>;
