import { formatRef, type LabTarget, refundRepeatedCharges, restartedServices, type ServiceSettings, undoUncompensatedSagas } from '@faultline/lab';
import type { RunOptions } from '../runner.js';

/** How to put the services back after a run, and what to undo in the shop once they are back. */
export interface Reconfigured {
  restore: () => Promise<void>;
  /** What the knocked-out mechanism left in the shop (holds, money), given back after the restore: its summary. */
  cleanUp?: () => Promise<string>;
}

/**
 * Restart the services the run needs changed (policies off, or one knocked out, and the
 * experiment's settings of single services); returns how to put them back.
 */
export async function reconfigureServices(
  lab: LabTarget,
  options: RunOptions,
  settings: ServiceSettings,
  say: (line: string) => void,
): Promise<Reconfigured | undefined> {
  const { knockout } = options;
  const named = Object.entries(settings).map(
    ([service, values]) =>
      `${service} with ${Object.entries(values ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
  );
  if (options.policies === 'off') {
    say(`restarting the services with RESILIENCE_MODE=off${named.length ? `, ${named.join(', ')}` : ''}`);
    const restore = await lab.restartWith({ resilience: 'off', settings });
    return {
      restore: async () => {
        say('restoring the services with RESILIENCE_MODE=on');
        await restore();
      },
    };
  }
  const changes = [...(knockout ? [`${knockout.service} with ${formatRef(knockout)} knocked out`] : []), ...named];
  if (!changes.length) return undefined;
  say(`restarting ${changes.join(', ')}`);
  const restartOptions = { resilience: 'on', knockout, settings } as const;
  const restore = await lab.restartWith(restartOptions);
  const reconfigured: Reconfigured = {
    restore: async () => {
      const names = restartedServices(restartOptions);
      say(`restoring ${names.join(', ')} as the lab starts ${names.length > 1 ? 'them' : 'it'}`);
      await restore();
    },
  };
  if (knockout?.mechanism === 'compensation')
    // The uncompensated sagas left stock held and money kept for cancelled orders: give both back, or every later audit fails for this run's sake.
    reconfigured.cleanUp = async () => {
      const { released, refunded } = await undoUncompensatedSagas(lab.cfg);
      return `refunded ${refunded} payment(s) the uncompensated sagas kept; ${released} cancelled order(s)' holds released (release is idempotent: ones released before count too)`;
    };
  if (knockout?.mechanism === 'idempotency-key')
    // Charges retried under new keys were made twice at the processor: refund the extras, or every later audit fails for them.
    reconfigured.cleanUp = async () => `refunded ${await refundRepeatedCharges(lab.cfg)} charge(s) the card processor made twice`;
  return reconfigured;
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
