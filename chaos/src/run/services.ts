import { formatRef, type LabTarget, refundRepeatedCharges, releaseHoldsOfCancelledOrders } from '@faultline/lab';
import type { RunOptions } from '../runner.js';

/** Restart the services the run needs changed (policies off, or one knocked out); returns how to put them back. */
export async function reconfigureServices(lab: LabTarget, options: RunOptions, say: (line: string) => void): Promise<(() => Promise<void>) | undefined> {
  const { knockout } = options;
  if (options.policies === 'off') {
    say('restarting the services with RESILIENCE_MODE=off');
    const restore = await lab.restartWith({ resilience: 'off' });
    return async () => {
      say('restoring the services with RESILIENCE_MODE=on');
      await restore();
    };
  }
  if (knockout) {
    say(`restarting ${knockout.service} with ${formatRef(knockout)} knocked out`);
    const restore = await lab.restartWith({ resilience: 'on', knockout });
    return async () => {
      say(`restoring ${knockout.service} with every mechanism`);
      await restore();
      if (knockout.mechanism === 'compensation') {
        // The uncompensated sagas left stock held for cancelled orders: give it back, or every later audit fails for this run's sake.
        const released = await releaseHoldsOfCancelledOrders(lab.cfg);
        say(`released ${released} hold(s) the uncompensated sagas left behind`);
      }
      if (knockout.mechanism === 'idempotency-key') {
        // Charges retried under new keys were made twice at the processor: refund the extras, or every later audit fails for them.
        const refunded = await refundRepeatedCharges(lab.cfg);
        say(`refunded ${refunded} charge(s) the card processor made twice`);
      }
    };
  }
  return undefined;
}

/** Put the services back, trying twice: a lab left with a mechanism removed must never go unnoticed. */
export async function restoreServices(lab: LabTarget, restore: () => Promise<void>): Promise<string | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await restore();
      return undefined;
    } catch (error) {
      if (attempt >= 2)
        return `the services could not be restored (${error instanceof Error ? error.message : String(error)}): run "${lab.restoreCommand}" to bring them back`;
    }
  }
}
