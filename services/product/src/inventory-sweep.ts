import type { ProductDeps } from './deps.js';
import { readHoldFigures } from './store/audit.js';
import { expireStaleHolds } from './use-cases/release-reservation.js';

/**
 * In the background: release holds older than the TTL (unless RESERVATION_EXPIRE_HOLDS is off;
 * each is logged as `reservation expired` with its order, products and units) and refresh the
 * hold gauges. A failed round (database unreachable) is logged and tried again.
 */
export function startInventorySweep(ctx: ProductDeps): { stop(): Promise<void> } {
  const { config, logger, inventory } = ctx;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const round = async () => {
    if (config.RESERVATION_EXPIRE_HOLDS) {
      const expired = await expireStaleHolds(ctx);
      if (expired > 0) logger.info('leaked holds expired', { expired, ttlSec: config.RESERVATION_HOLD_TTL_SEC });
    }
    const holds = await readHoldFigures(ctx.pool, config.RESERVATION_HOLD_TTL_SEC);
    inventory.activeHolds.set(holds.active);
    inventory.leakedHolds.set(holds.leaked);
    inventory.heldUnits.set(holds.units);
  };

  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(round).catch((error: unknown) => {
      logger.warn('inventory sweep failed', { error: error instanceof Error ? error : undefined });
    });
  }, config.INVENTORY_SWEEP_MS);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
