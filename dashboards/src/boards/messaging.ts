import type { DashboardSpec } from '../grafana.js';
import { FAULT_ANNOTATIONS, W } from './common.js';

/** Dead-letter queues are named `<queue>.dlq`. */
export const DLQ = 'queue=~".+\\\\.dlq"';

export const messaging: DashboardSpec = {
  uid: 'faultline-messaging',
  title: 'Faultline / Messaging',
  description: 'Events through RabbitMQ: publishes (from the outbox), consumption, queue depth, retries, dead letters and outbox lag.',
  tags: ['messaging', 'rabbitmq', 'outbox'],
  annotations: FAULT_ANNOTATIONS,
  rows: [
    {
      row: 'Flow',
      panels: [
        {
          type: 'timeseries',
          title: 'Published by routing key',
          description: 'Events published per routing key and outcome (confirmed by the broker or not).',
          unit: 'ops',
          queries: [
            {
              expr: `sum by (application, routing_key, outcome) (rate(messaging_published_total[${W}]))`,
              legend: '{{application}} {{routing_key}} {{outcome}}',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'Consumed by queue',
          description: 'Messages handled per queue and outcome (acked, retried, dead-lettered).',
          unit: 'ops',
          queries: [{ expr: `sum by (application, queue, outcome) (rate(messaging_consumed_total[${W}]))`, legend: '{{application}} {{queue}} {{outcome}}' }],
        },
        {
          type: 'timeseries',
          title: 'Handler duration p95',
          description: '95th percentile time a consumer spends on one message.',
          unit: 's',
          queries: [{ expr: `histogram_quantile(0.95, sum by (queue, le) (rate(messaging_handler_seconds_bucket[${W}])))`, legend: '{{queue}}' }],
        },
        {
          type: 'timeseries',
          title: 'Broker throughput',
          description: 'Messages the broker received, routed and delivered (all queues).',
          unit: 'ops',
          queries: [
            { expr: `sum(rate(rabbitmq_global_messages_received_total[${W}]))`, legend: 'received' },
            { expr: `sum(rate(rabbitmq_global_messages_routed_total[${W}]))`, legend: 'routed' },
            { expr: `sum(rate(rabbitmq_global_messages_delivered_total[${W}]))`, legend: 'delivered' },
          ],
        },
      ],
    },
    {
      row: 'Queues',
      panels: [
        {
          type: 'timeseries',
          title: 'Queue depth',
          description: 'Messages ready and unacknowledged per queue (retry queues hold messages waiting for their next attempt).',
          unit: 'short',
          queries: [
            { expr: 'sum by (queue) (rabbitmq_queue_messages_ready)', legend: '{{queue}} ready' },
            { expr: 'sum by (queue) (rabbitmq_queue_messages_unacked)', legend: '{{queue}} unacked' },
          ],
        },
        {
          type: 'timeseries',
          title: 'Dead letters',
          description: 'Messages parked in dead-letter queues, as the broker and the notification service see them. Should stay 0.',
          unit: 'short',
          queries: [
            { expr: `sum by (queue) (rabbitmq_queue_messages{${DLQ}})`, legend: '{{queue}}' },
            { expr: 'sum(notifications_dead_letters)', legend: 'notification dead letters' },
          ],
        },
        {
          type: 'timeseries',
          title: 'Consumers per queue',
          description: 'Consumers attached to each queue; 0 on a work queue means nobody drains it.',
          unit: 'short',
          queries: [{ expr: 'sum by (queue) (rabbitmq_queue_consumers)', legend: '{{queue}}' }],
        },
        {
          type: 'timeseries',
          title: 'Connections and channels',
          description: 'Client connections and channels open on the broker.',
          unit: 'short',
          queries: [
            { expr: 'sum(rabbitmq_connections)', legend: 'connections' },
            { expr: 'sum(rabbitmq_channels)', legend: 'channels' },
          ],
        },
      ],
    },
    {
      row: 'Outbox',
      panels: [
        {
          type: 'timeseries',
          title: 'Outbox pending events',
          description: 'Events written with the business change and not yet confirmed by the broker.',
          unit: 'short',
          width: 8,
          queries: [{ expr: 'sum by (application) (outbox_pending_events)', legend: '{{application}}' }],
        },
        {
          type: 'timeseries',
          title: 'Outbox lag (oldest pending event)',
          description: 'Age of the oldest unpublished event per service; grows while the broker is unreachable (see OutboxLag).',
          unit: 's',
          width: 8,
          queries: [{ expr: 'max by (application) (outbox_oldest_pending_seconds)', legend: '{{application}}' }],
        },
        {
          type: 'timeseries',
          title: 'Outbox relayed',
          description: 'Events the relay published, by outcome.',
          unit: 'ops',
          width: 8,
          queries: [{ expr: `sum by (application, outcome) (rate(outbox_relayed_total[${W}]))`, legend: '{{application}} {{outcome}}' }],
        },
      ],
    },
    {
      row: 'Notifications',
      panels: [
        {
          type: 'timeseries',
          title: 'Notifications sent and failed',
          description: 'Messages delivered to the provider, and failed attempts by reason (each is retried, then dead-lettered).',
          unit: 'ops',
          width: 24,
          queries: [
            { expr: `sum by (channel) (rate(notifications_sent_total[${W}]))`, legend: 'sent {{channel}}' },
            { expr: `sum by (reason) (rate(notifications_failed_total[${W}]))`, legend: 'failed {{reason}}' },
          ],
        },
      ],
    },
  ],
};
