import { type ChargeRequest, type ProviderCharge, providerChargeSchema } from '@faultline/contracts';
import { buildDependencies, type DependencyPolicy, errors, isAppError, type Logger, type Metrics } from '@faultline/platform';
import { z } from 'zod';
import { PAYMENT_DEPENDENCIES, type PaymentConfig } from './config.js';

export type ChargeOutcome = { kind: 'charged'; charge: ProviderCharge } | { kind: 'declined'; reason: string };

const refundSchema = z.object({ refundId: z.string(), chargeId: z.string(), refundedAmount: z.number().int() });
const DEPENDENCY = 'providers';
/**
 * The processor's answer for a charge it could not process (the card network did not answer for
 * this card). Nothing is kept at the processor; like a card processing error at real processors it
 * is this card's failure, not the processor's: a decline, not retried, not held against the breaker.
 */
const PROCESSING_ERROR = 'processor-error';
const isProcessingError = (error: unknown) => isAppError(error) && error.errorName === PROCESSING_ERROR;
/** Errors that already say "the processor's outcome is unknown": timeout, broken circuit, full bulkhead, failed call. */
const UNKNOWN_OUTCOME = new Set(['circuit-open', 'bulkhead-full', 'dependency-timeout', 'dependency-failed']);

/** The card processor as payment sees it: charge, look up by reference, refund — under the one shared policy. */
export interface ProvidersClient {
  readonly policy: DependencyPolicy;
  /** Charge once per order (idempotency key `charge-<orderId>`, reference = order id). A decline is an outcome, not an error. */
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /** The charge made for `reference`, if any: how an unknown outcome is resolved. */
  findCharge(reference: string): Promise<ProviderCharge | undefined>;
  /** Refund `amount` of a charge, once per `idempotencyKey`. */
  refund(chargeId: string, amount: number, idempotencyKey: string): Promise<z.infer<typeof refundSchema>>;
}

/** A processor failure becomes ours: 5xx → dependency-failed; our own policy errors and 4xx answers pass as they are. */
function asOurError(error: unknown): unknown {
  if (!isAppError(error) || UNKNOWN_OUTCOME.has(error.errorName) || (error.status < 500 && error.status !== 429)) return error;
  return errors.dependencyFailed(DEPENDENCY, `the card processor answered ${error.status} ${error.errorName}`);
}

function parsed<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) throw errors.dependencyFailed(DEPENDENCY, `the card processor answered a malformed ${what}`);
  return result.data;
}

export function createProvidersClient(config: PaymentConfig, kit: { logger: Logger; metrics: Metrics }): ProvidersClient {
  const { logger } = kit;
  const { http, policy } = buildDependencies(PAYMENT_DEPENDENCIES, config, kit).providers;

  return {
    policy,
    async charge(request) {
      const body = { amount: request.amount, currency: request.currency, cardToken: request.cardToken, reference: request.orderId };
      try {
        const response = await http.post<unknown>('/v1/charges', body, { idempotencyKey: `charge-${request.orderId}`, isRequestFailure: isProcessingError });
        return { kind: 'charged', charge: parsed(providerChargeSchema, response.body, 'charge') };
      } catch (error) {
        if (isProcessingError(error)) return { kind: 'declined', reason: 'processing_error' };
        if (isAppError(error) && error.status === 402) {
          const code = error.extensions.declineCode;
          return { kind: 'declined', reason: typeof code === 'string' ? code : error.errorName };
        }
        throw asOurError(error);
      }
    },
    async findCharge(reference) {
      try {
        const response = await http.get<unknown>('/v1/charges', { query: { reference } });
        const { charges } = parsed(z.object({ charges: z.array(providerChargeSchema) }), response.body, 'charge list');
        if (charges.length > 1) logger.error('more than one charge for one reference', { reference, charges: charges.length });
        return charges[0];
      } catch (error) {
        throw asOurError(error);
      }
    },
    async refund(chargeId, amount, idempotencyKey) {
      try {
        const response = await http.post<unknown>(`/v1/charges/${encodeURIComponent(chargeId)}/refunds`, { amount }, { idempotencyKey });
        return parsed(refundSchema, response.body, 'refund');
      } catch (error) {
        throw asOurError(error);
      }
    },
  };
}
