import { withTransaction } from '@faultline/platform';
import type { ProductDeps } from '../deps.js';
import type { Audit, AuditLine } from '../schemas.js';
import { readHoldFigures, readHolds, readInventoryFigures } from '../store/audit.js';

/**
 * The invariant audit chaos experiments read after a run: per product, what is in stock, held
 * and committed, and anything that should never be — available below zero, a hold count the
 * reservations do not explain, or holds older than the TTL (a saga that never came back).
 */
export async function auditInventory(ctx: ProductDeps, leakedAfterSec = ctx.config.RESERVATION_HOLD_TTL_SEC): Promise<Audit> {
  // One snapshot for both reads, so the totals and the lines agree.
  const { rows, holds, held } = await withTransaction(ctx.pool, async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return {
      rows: await readInventoryFigures(tx, leakedAfterSec),
      holds: await readHoldFigures(tx, leakedAfterSec),
      held: await readHolds(tx, leakedAfterSec),
    };
  });
  const products = rows.map((row): AuditLine => {
    const available = row.stock - row.held;
    const issues: AuditLine['issues'] = [];
    if (available < 0) issues.push('negative-available');
    if (row.held !== row.held_by_reservations) issues.push('held-mismatch');
    if (row.leaked_holds > 0) issues.push('leaked-holds');
    return {
      productId: row.id,
      name: row.name,
      stock: row.stock,
      held: row.held,
      heldByReservations: row.held_by_reservations,
      committed: row.committed,
      available,
      activeHolds: row.active_holds,
      leakedHolds: row.leaked_holds,
      issues,
    };
  });
  const sum = (pick: (line: AuditLine) => number) => products.reduce((total, line) => total + pick(line), 0);
  return {
    consistent: products.every((line) => line.issues.length === 0),
    checkedAt: new Date().toISOString(),
    leakedAfterSec,
    totals: {
      stock: sum((l) => l.stock),
      held: sum((l) => l.held),
      committed: sum((l) => l.committed),
      // Counted per reservation: one reservation spans several products.
      activeHolds: holds.active,
      leakedHolds: holds.leaked,
    },
    products,
    holds: held,
  };
}
