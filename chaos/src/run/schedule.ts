import { setTimeout as sleep } from 'node:timers/promises';
import type { LabTarget } from '@faultline/lab';
import type { Observations } from '../expectations/index.js';
import { describeFault, inject, remove } from '../faults.js';
import type { Fault } from '../schema.js';

/** The faults of a run on their timers: when each really started and ended. */
export interface FaultSchedule {
  times: Observations['faults'];
  /**
   * Cancel what has not fired, then wait (bounded) for injections and removals under way — a
   * service still starting up when the load ends — so its end is known before it is judged.
   */
  settle(loadEnd: number): Promise<void>;
  /** Cancel what has not fired. */
  cancel(): void;
}

/** How long `settle` waits for a fault operation still under way. */
const OPERATION_PATIENCE_MS = 90_000;

/** Inject each fault at its start and remove it at its end, counted from now; a failure calls `onError`. */
export function scheduleFaults(lab: LabTarget, faults: readonly Fault[], say: (line: string) => void, onError: (error: unknown) => void): FaultSchedule {
  const times: Observations['faults'] = [];
  const timers: NodeJS.Timeout[] = [];
  const operations = new Set<Promise<unknown>>();
  const track = (operation: Promise<unknown>) => {
    operations.add(operation);
    void operation.finally(() => operations.delete(operation)).catch(() => undefined);
  };
  for (const fault of faults) {
    const { what, target } = describeFault(fault);
    timers.push(
      setTimeout(() => {
        say(`inject ${fault.id}: ${what} on ${target}`);
        const at = Date.now() / 1000;
        times.push({ id: fault.id, start: at, end: at + fault.duration });
        track(inject(lab, fault).catch(onError));
      }, fault.start * 1000),
      setTimeout(
        () => {
          say(`remove ${fault.id}`);
          const entry = times.find((f) => f.id === fault.id);
          // A fault is over when its removal is: a toxic at once, a stopped service once it
          // answers its readiness probe again (its start-up belongs to the fault, not to "after").
          track(
            remove(lab, fault)
              .then(() => {
                if (entry) entry.end = Date.now() / 1000;
              })
              .catch(onError),
          );
        },
        (fault.start + fault.duration) * 1000,
      ),
    );
  }
  const cancel = () => {
    for (const timer of timers) clearTimeout(timer);
  };
  return {
    times,
    cancel,
    async settle(loadEnd) {
      cancel();
      const patience = new AbortController();
      await Promise.race([Promise.allSettled([...operations]), sleep(OPERATION_PATIENCE_MS, undefined, { signal: patience.signal }).catch(() => undefined)]);
      patience.abort(); // the timer must not keep the process alive after the reports are written
      for (const entry of times) entry.end = Math.min(entry.end, loadEnd);
    },
  };
}
