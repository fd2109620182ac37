import { prom } from '@faultline/platform';

type Registry = prom.Registry<prom.OpenMetricsContentType>;

/** The inventory's business figures. */
export interface InventoryMetrics {
  /** Reservation requests by outcome: held | duplicate | out_of_stock | rejected. */
  readonly reservations: prom.Counter<'outcome'>;
  /** Holds that ended, by outcome: committed | released | expired. */
  readonly closed: prom.Counter<'outcome'>;
  readonly activeHolds: prom.Gauge;
  readonly leakedHolds: prom.Gauge;
  readonly heldUnits: prom.Gauge;
  /** Units given back by holds that expired (a saga that never came back for them). */
  readonly expiredUnits: prom.Counter;
}

export function inventoryMetrics(registry: Registry): InventoryMetrics {
  const registers = [registry];
  return {
    reservations: new prom.Counter({
      name: 'inventory_reservations_total',
      help: 'Reservation requests by outcome (held | duplicate | out_of_stock | rejected)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    closed: new prom.Counter({
      name: 'inventory_reservations_closed_total',
      help: 'Holds that ended, by outcome (committed | released | expired)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    activeHolds: new prom.Gauge({ name: 'inventory_active_holds', help: 'Reservations currently held', registers }),
    leakedHolds: new prom.Gauge({ name: 'inventory_leaked_holds', help: 'Reservations held for longer than the hold TTL', registers }),
    heldUnits: new prom.Gauge({ name: 'inventory_held_units', help: 'Units of stock held by reservations', registers }),
    expiredUnits: new prom.Counter({ name: 'inventory_expired_units_total', help: 'Units released because their hold outlived the hold TTL', registers }),
  };
}
