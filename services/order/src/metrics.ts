import { setTimeout as sleep } from 'node:timers/promises';
import { type DbPool, type Metrics, prom } from '@faultline/platform';
import type { OrderStatus } from './domain/order.js';
import type { CancelReason } from './domain/order-events.js';
import { openSagas } from './store/saga-store.js';

/** How long a scrape waits for the saga gauges' query before answering the last known values. */
const READ_BUDGET_MS = 1000;

export interface OrderMetrics {
  /** `pending` when checkout answers 202; `confirmed`/`cancelled` when an order reaches its end (so a pending order is counted again then). */
  orderOutcome(outcome: OrderStatus): void;
  compensation(reason: CancelReason): void;
  sagaFinished(outcome: OrderStatus, startedAt: Date): void;
}

export function createOrderMetrics(registry: Metrics['registry'], pool: DbPool): OrderMetrics {
  const registers = [registry];
  const orders = new prom.Counter({
    name: 'orders_total',
    help: 'Orders by outcome: pending when accepted with 202, then confirmed or cancelled',
    labelNames: ['outcome'],
    registers,
  });
  const compensations = new prom.Counter({
    name: 'saga_compensations_total',
    help: 'Checkout sagas that started compensating, by reason',
    labelNames: ['reason'],
    registers,
  });
  const duration = new prom.Histogram({
    name: 'saga_duration_seconds',
    help: 'Time from checkout to the end of its saga, by outcome',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers,
  });
  // Both gauges are read from the database at scrape time, with one query per scrape. A scrape while
  // the database is away keeps the last known sagas rather than failing: their age keeps growing,
  // since no saga can finish without the database.
  let last: Awaited<ReturnType<typeof openSagas>> = { count: 0, oldestStartedAt: null };
  let reading: Promise<typeof last> | undefined;
  // Bounded: a slow database (a latency fault) must not make the scrape time out, which would read as order down.
  const read = () =>
    (reading ??= Promise.race([openSagas(pool).then((now) => (last = now)), sleep(READ_BUDGET_MS).then(() => last)])
      .catch(() => last)
      .finally(() => {
        reading = undefined;
      }));
  new prom.Gauge({
    name: 'sagas_in_flight',
    help: 'Checkout sagas not yet done (all instances: read from the database at scrape time)',
    registers,
    async collect() {
      this.set((await read()).count);
    },
  });
  new prom.Gauge({
    name: 'saga_oldest_in_flight_seconds',
    help: 'Age of the oldest checkout saga not yet done, 0 when none is (read from the database at scrape time)',
    registers,
    async collect() {
      const { oldestStartedAt } = await read();
      this.set(oldestStartedAt === null ? 0 : Math.max(0, Date.now() / 1000 - oldestStartedAt));
    },
  });
  return {
    orderOutcome: (outcome) => orders.inc({ outcome }),
    compensation: (reason) => compensations.inc({ reason }),
    sagaFinished: (outcome, startedAt) => duration.observe({ outcome }, Math.max(0, (Date.now() - startedAt.getTime()) / 1000)),
  };
}
