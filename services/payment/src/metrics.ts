import { type Metrics, prom } from '@faultline/platform';

export interface PaymentMetrics {
  /** Charges settled or failed, by outcome: captured, declined, failed (outcome unknown or processor broken). */
  readonly payments: prom.Counter<'outcome'>;
  readonly refunds: prom.Counter;
}

export function paymentMetrics(registry: Metrics['registry']): PaymentMetrics {
  const payments = new prom.Counter({ name: 'payments_total', help: 'Payment attempts by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  // Every outcome is exported from the start, so rates and alerts see zeros rather than gaps.
  for (const outcome of ['captured', 'declined', 'failed']) payments.labels(outcome).inc(0);
  const refunds = new prom.Counter({ name: 'refunds_total', help: 'Payments refunded', registers: [registry] });
  return { payments, refunds };
}
