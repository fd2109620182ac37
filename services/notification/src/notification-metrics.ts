import { type Metrics, prom } from '@faultline/platform';

/** Why a message could not be sent: the provider failed, or the user is not in the projection yet. */
export type FailureReason = 'provider' | 'unknown-recipient';

export interface NotificationMetrics {
  sent: prom.Counter<'channel' | 'template'>;
  failed: prom.Counter<'channel' | 'template' | 'reason'>;
}

/** The business counters, registered once per service. */
export function notificationMetrics(registry: Metrics['registry']): NotificationMetrics {
  return {
    sent: new prom.Counter({
      name: 'notifications_sent_total',
      help: 'Messages accepted by the provider',
      labelNames: ['channel', 'template'],
      registers: [registry],
    }),
    failed: new prom.Counter({
      name: 'notifications_failed_total',
      help: 'Attempts to send a message that failed (each is retried, then dead-lettered)',
      labelNames: ['channel', 'template', 'reason'],
      registers: [registry],
    }),
  };
}

/** `notifications_dead_letters`: messages waiting in the dead-letter queue, read from the broker at scrape time. */
export function deadLetterGauge(registry: Metrics['registry'], depth: () => Promise<number | undefined>): void {
  new prom.Gauge({
    name: 'notifications_dead_letters',
    help: 'Messages in the notification dead-letter queue',
    registers: [registry],
    async collect() {
      const value = await depth();
      if (value !== undefined) this.set(value);
    },
  });
}
