import type { DashboardSpec } from '../grafana.js';
import { FAULT_ANNOTATIONS, W } from './common.js';

export const saga: DashboardSpec = {
  uid: 'faultline-saga',
  title: 'Faultline / Saga and business',
  description: 'The checkout saga (reserve → charge → commit → confirm), its compensations, payments, refunds, inventory holds and users.',
  tags: ['saga', 'business'],
  annotations: FAULT_ANNOTATIONS,
  rows: [
    {
      row: 'Orders',
      panels: [
        {
          type: 'bargauge',
          title: 'Orders funnel (time range)',
          description: 'Orders placed in the selected range by outcome: pending (accepted, payment later), confirmed, cancelled.',
          unit: 'short',
          width: 8,
          queries: [{ expr: 'sum by (outcome) (increase(orders_total[$__range]))', legend: '{{outcome}}' }],
        },
        {
          type: 'timeseries',
          title: 'Orders by outcome',
          description: 'Rate of orders by outcome.',
          unit: 'ops',
          width: 16,
          queries: [{ expr: `sum by (outcome) (rate(orders_total[${W}]))`, legend: '{{outcome}}' }],
        },
        {
          type: 'timeseries',
          title: 'Compensations by reason',
          description: 'Sagas rolled back, by reason (out-of-stock, payment-declined, …).',
          unit: 'ops',
          queries: [{ expr: `sum by (reason) (rate(saga_compensations_total[${W}]))`, legend: '{{reason}}' }],
        },
        {
          type: 'timeseries',
          title: 'Sagas in flight',
          description: 'Sagas started and not yet terminal; rising while few finish means they wait on a dependency.',
          unit: 'short',
          queries: [{ expr: 'sum(sagas_in_flight)', legend: 'in flight' }],
        },
        {
          type: 'timeseries',
          title: 'Oldest open saga',
          description: 'Age of the oldest saga not yet terminal. Healthy sagas end within seconds; past 60 s SagasStuck fires.',
          unit: 's',
          queries: [{ expr: 'max by (application) (saga_oldest_in_flight_seconds)', legend: '{{application}}' }],
        },
        {
          type: 'timeseries',
          title: 'Saga duration',
          description: 'p50/p95 from start to a terminal state, by outcome.',
          unit: 's',
          queries: [0.5, 0.95].map((p) => ({
            expr: `histogram_quantile(${p}, sum by (outcome, le) (rate(saga_duration_seconds_bucket[${W}])))`,
            legend: `p${p * 100} {{outcome}}`,
          })),
        },
        {
          type: 'timeseries',
          title: 'Sagas finishing',
          description: 'Sagas reaching a terminal state per second, by outcome.',
          unit: 'ops',
          queries: [{ expr: `sum by (outcome) (rate(saga_duration_seconds_count[${W}]))`, legend: '{{outcome}}' }],
        },
      ],
    },
    {
      row: 'Payments',
      panels: [
        {
          type: 'timeseries',
          title: 'Payments by outcome',
          description: 'Charge attempts by outcome: captured, declined, failed.',
          unit: 'ops',
          width: 8,
          queries: [{ expr: `sum by (outcome) (rate(payments_total[${W}]))`, legend: '{{outcome}}' }],
        },
        {
          type: 'timeseries',
          title: 'Refunds',
          description: 'Payments refunded (compensation of a charged order that was then cancelled).',
          unit: 'ops',
          width: 8,
          queries: [{ expr: `sum(rate(refunds_total[${W}]))`, legend: 'refunds' }],
        },
        {
          type: 'bargauge',
          title: 'Payments (time range)',
          description: 'Payments by outcome and refunds in the selected range.',
          unit: 'short',
          width: 8,
          queries: [
            { expr: 'sum by (outcome) (increase(payments_total[$__range]))', legend: '{{outcome}}' },
            { expr: 'sum(increase(refunds_total[$__range]))', legend: 'refunded' },
          ],
        },
      ],
    },
    {
      row: 'Inventory and users',
      panels: [
        {
          type: 'timeseries',
          title: 'Reservations by outcome',
          description: 'Stock reservation requests and how the held reservations closed.',
          unit: 'ops',
          queries: [
            { expr: `sum by (outcome) (rate(inventory_reservations_total[${W}]))`, legend: 'reserve {{outcome}}' },
            { expr: `sum by (outcome) (rate(inventory_reservations_closed_total[${W}]))`, legend: 'closed {{outcome}}' },
          ],
        },
        {
          type: 'timeseries',
          title: 'Holds',
          description: 'Reservations held now, units held, and holds older than the hold TTL (leaked: should be 0).',
          unit: 'short',
          queries: [
            { expr: 'sum(inventory_active_holds)', legend: 'active holds' },
            { expr: 'sum(inventory_held_units)', legend: 'held units' },
            { expr: 'sum(inventory_leaked_holds)', legend: 'leaked holds' },
          ],
        },
        {
          type: 'timeseries',
          title: 'Users',
          description: 'Registrations and logins by outcome.',
          unit: 'ops',
          queries: [
            { expr: `sum(rate(users_registered_total[${W}]))`, legend: 'registered' },
            { expr: `sum by (outcome) (rate(user_logins_total[${W}]))`, legend: 'login {{outcome}}' },
          ],
        },
      ],
    },
  ],
};
