import { type ProviderCharge, TEST_CARD_TOKENS } from '@faultline/contracts';
import { AppError, type DbPool, type Logger } from '@faultline/platform';
import { requestHash } from '../idempotency-key.js';
import { insertCharge } from '../store/charges.js';
import { runIdempotently } from '../store/idempotency.js';

export interface ChargeRequest {
  amount: number;
  currency: 'EUR';
  cardToken: string;
  reference: string;
}

type ChargeOutcome = { kind: 'charged'; charge: ProviderCharge } | { kind: 'declined'; declineCode: string };

const DECLINE_CODE = 'card_declined';

export const cardDeclined = (declineCode: string) =>
  new AppError('card-declined', 402, 'Card declined', { detail: 'the issuer declined the charge', extensions: { declineCode } });

/**
 * Charge a card once per idempotency key, as a real processor would: the same key replays the
 * first outcome (a charge or a decline) and never charges twice. A processor error keeps
 * nothing, so the caller may retry with the same key.
 */
export async function createCharge(
  deps: { pool: DbPool; logger: Logger },
  request: ChargeRequest,
  idempotencyKey: string,
): Promise<{ charge: ProviderCharge; replayed: boolean }> {
  const { cardToken, ...details } = request;
  if (!(Object.values(TEST_CARD_TOKENS) as string[]).includes(cardToken))
    throw new AppError('unknown-card-token', 422, 'Unknown card token', {
      detail: `use one of the test tokens: ${Object.values(TEST_CARD_TOKENS).join(', ')}`,
      extensions: { field: 'cardToken' },
    });

  const { outcome, replayed } = await runIdempotently<ChargeOutcome>(deps.pool, 'charge', idempotencyKey, requestHash(request), async (tx) => {
    if (cardToken === TEST_CARD_TOKENS.failure) throw new AppError('processor-error', 500, 'Processor error', { detail: 'the card network did not answer' });
    if (cardToken === TEST_CARD_TOKENS.declined) return { kind: 'declined', declineCode: DECLINE_CODE };
    return { kind: 'charged', charge: await insertCharge(tx, details) };
  });

  if (outcome.kind === 'declined') {
    deps.logger.info('charge declined', { reference: request.reference, replayed });
    throw cardDeclined(outcome.declineCode);
  }
  deps.logger.info('card charged', { chargeId: outcome.charge.chargeId, reference: request.reference, amount: request.amount, replayed });
  return { charge: outcome.charge, replayed };
}
