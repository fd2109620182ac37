import { LATENCY_BUCKETS, perRegistry, prom } from '../metrics.js';

type Registry = prom.Registry<prom.OpenMetricsContentType>;

/** The messaging and outbox figures of one registry. */
export interface MessagingMetrics {
  readonly published: prom.Counter<'exchange' | 'routing_key' | 'outcome'>;
  readonly consumed: prom.Counter<'queue' | 'outcome'>;
  readonly handlerSeconds: prom.Histogram<'queue'>;
  readonly outboxPending: prom.Gauge;
  readonly outboxOldestPendingSeconds: prom.Gauge;
  readonly outboxRelayed: prom.Counter<'outcome'>;
}

/** The messaging metrics, created once per registry: publisher, consumers and relay of one service share them. */
export const messagingMetrics = perRegistry((registry: Registry): MessagingMetrics => {
  const registers = [registry];
  const metrics: MessagingMetrics = {
    published: new prom.Counter({
      name: 'messaging_published_total',
      help: 'Messages published, by exchange, routing key and outcome (confirmed | failed)',
      labelNames: ['exchange', 'routing_key', 'outcome'] as const,
      registers,
    }),
    consumed: new prom.Counter({
      name: 'messaging_consumed_total',
      help: 'Messages consumed, by queue and outcome (acked | retried | dead_lettered | duplicate | poison | dropped)',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    handlerSeconds: new prom.Histogram({
      name: 'messaging_handler_seconds',
      help: 'Time a consumer spent on one message, validation and transaction included',
      labelNames: ['queue'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    outboxPending: new prom.Gauge({ name: 'outbox_pending_events', help: 'Outbox events not yet confirmed by the broker', registers }),
    outboxOldestPendingSeconds: new prom.Gauge({
      name: 'outbox_oldest_pending_seconds',
      help: 'Age of the oldest outbox event not yet confirmed by the broker (outbox lag)',
      registers,
    }),
    outboxRelayed: new prom.Counter({
      name: 'outbox_relayed_total',
      help: 'Outbox events the relay handed to the broker, by outcome (confirmed | failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
  };
  return metrics;
});
