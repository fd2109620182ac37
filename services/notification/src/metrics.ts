import { type Metrics, prom } from '@faultline/platform';
import { templates } from './templates.js';

/** Why a message could not be sent: the provider failed, or the user is not in the projection yet. */
export type FailureReason = 'provider' | 'unknown-recipient';

export interface NotificationMetrics {
  sent: prom.Counter<'channel' | 'template'>;
  failed: prom.Counter<'channel' | 'template' | 'reason'>;
}

const FAILURE_REASONS: readonly FailureReason[] = ['provider', 'unknown-recipient'];

/**
 * The business counters, registered once per service. Every template's series start at 0, so a
 * dashboard shows "no failures" as 0 rather than as no data.
 */
export function notificationMetrics(registry: Metrics['registry']): NotificationMetrics {
  const metrics = {
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
  for (const { channel, name: template } of Object.values(templates)) {
    metrics.sent.inc({ channel, template }, 0);
    for (const reason of FAILURE_REASONS) metrics.failed.inc({ channel, template, reason }, 0);
  }
  return metrics;
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
