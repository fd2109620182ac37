import { setTimeout as sleep } from 'node:timers/promises';
import { type AuditedOrder, adminToken, audit, ordersPlacedBetween, serviceUrl } from '@faultline/lab';
import { type Judge, waitFor } from './context.js';

/** How many sagas order's saga list names; an answer that is not a list (an error, a 503 under the fault) throws, saying what came. */
export async function openSagaCount(response: Response): Promise<number> {
  if (!response.ok) throw new Error(`order's saga list answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
  const body = (await response.json()) as { items?: unknown[] };
  if (!Array.isArray(body.items)) throw new Error("order's saga list has no items");
  return body.items.length;
}

/**
 * Every saga is done within `within` seconds of the fault's end (asked from order's admin API). A
 * question that fails (the admin API slow on a loaded machine) is asked again until the deadline;
 * only when none came back is the expectation unjudged, naming the last failure.
 */
export const sagasTerminal: Judge<'sagas-terminal'> = async (e, { obs, fault, result }) => {
  let token: string | undefined;
  let open: number | undefined;
  let failure: unknown;
  const ask = async () => {
    try {
      token ??= await adminToken(obs.cfg);
      const headers = { authorization: `Bearer ${token}` };
      open = await openSagaCount(
        await fetch(`${serviceUrl(obs.cfg, 'order')}/v1/admin/sagas?olderThanSec=0`, { headers, signal: AbortSignal.timeout(10_000) }),
      );
      return open === 0 ? Date.now() / 1000 : null;
    } catch (error) {
      failure = error;
      return null;
    }
  };
  const remaining = Math.max(0, fault.end + e.within - Date.now() / 1000);
  const doneAt = await waitFor(remaining, ask);
  if (doneAt === null && open === undefined) throw failure;
  const measured = doneAt === null ? null : Math.max(0, doneAt - fault.end);
  return result(
    measured,
    measured !== null && measured <= e.within,
    `≤ ${e.within} s after the fault`,
    's',
    doneAt === null ? `${open} sagas still open` : undefined,
  );
};

/**
 * The invariant audit (optionally only some invariants) comes back clean within `within` seconds:
 * the same `audit` and rules (`findViolations`) as `faultline audit`; `within` is also the age at
 * which an open saga counts as stuck (holds are judged against product's hold TTL, not `within`).
 */
export const auditClean: Judge<'audit-clean'> = async (e, { obs, result }) => {
  type Checked = { clean: boolean; violations: Awaited<ReturnType<typeof audit>>['violations'] };
  let failure: unknown;
  // An audit that could not be taken (an admin API slow on a loaded machine) is taken again until the deadline.
  const check = async (): Promise<Checked | undefined> => {
    try {
      const report = await audit(obs.cfg, { stuckAfterSec: e.within });
      const violations = report.violations.filter((v) => !e.invariants || e.invariants.includes(v.invariant));
      return { clean: violations.length === 0, violations };
    } catch (error) {
      failure = error;
      return undefined;
    }
  };
  const deadline = Date.now() + e.within * 1000;
  let last = await check();
  while (!last?.clean && Date.now() < deadline) {
    await sleep(2000);
    last = (await check()) ?? last;
  }
  if (!last) throw failure;
  return result(
    last.violations.length,
    last.clean,
    '≤ 0 violations',
    'violations',
    last.violations
      .slice(0, 5)
      .map((v) => `${v.invariant} ${v.orderId ?? ''} ${v.detail}`)
      .join('; ') || undefined,
  );
};

/**
 * Of the orders placed in the phase window, at least `minPercent` end confirmed by `within` seconds
 * after the fault: the customer's outcome, not the gateway's 202. Orders cancelled for an excused
 * reason (sold out, by default) before anything was charged are not counted. Waits until every one of them is settled (or the
 * deadline); a window with no order to judge is a failure (nothing was judged).
 */
export const ordersConfirmed: Judge<'orders-confirmed'> = async (e, { obs, from, to, fault, result }) => {
  let token: string | undefined;
  let placed: AuditedOrder[] | undefined;
  let failure: unknown;
  const ask = async () => {
    try {
      token ??= await adminToken(obs.cfg);
      placed = await ordersPlacedBetween(obs.cfg, token, from, to);
      return placed.every((o) => o.status !== 'pending') ? 1 : null;
    } catch (error) {
      failure = error;
      return null;
    }
  };
  await waitFor(Math.max(0, fault.end + e.within - Date.now() / 1000), ask);
  if (!placed) throw failure;
  // A refunded order was charged: its cancellation (a hold that expired while the charge waited) is the fault's, never excused.
  const excused = (o: AuditedOrder) => o.status === 'cancelled' && !o.refunded && e.excuse.includes(o.cancelReason ?? '');
  const judged = placed.filter((o) => !excused(o));
  const confirmed = judged.filter((o) => o.status === 'confirmed').length;
  const reasons = new Map<string, number>();
  for (const o of placed.filter((p) => p.status !== 'confirmed')) {
    const why = o.status === 'pending' ? 'pending' : `cancelled ${o.cancelReason ?? '?'}${excused(o) ? ' (excused)' : ''}`;
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  const percent = judged.length ? (100 * confirmed) / judged.length : null;
  return result(
    percent === null ? null : Number(percent.toFixed(1)),
    percent !== null && percent >= e.minPercent,
    `≥ ${e.minPercent} % within ${e.within} s`,
    '%',
    `${placed.length} placed: ${confirmed} confirmed${[...reasons].map(([why, n]) => `, ${n} ${why}`).join('')}`,
  );
};
