import { setTimeout as sleep } from 'node:timers/promises';
import { activeAlerts, type LabConfig, metricsSnapshot } from '@faultline/lab';
import type { Observations } from '../expectations/index.js';

/** Samples taken once a second for the whole run, and while expectations are judged. */
export interface Sampler {
  breakers: Observations['breakers'];
  inFlight: Observations['inFlight'];
  alerts: Observations['alerts'];
  /** Stop sampling and wait for the sample under way. */
  stop(): Promise<void>;
}

/** Every breaker's state and every dependency's calls in flight (from the services' /metrics) and Prometheus's active alerts, each second. */
export function startSampler(cfg: LabConfig): Sampler {
  const samples: Omit<Sampler, 'stop'> = { breakers: [], inFlight: [], alerts: [] };
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      // Each sample is timed when its request went out, so a slow one does not shift the other.
      const asked = Date.now() / 1000;
      await Promise.all([
        metricsSnapshot(cfg).then((snapshot) => {
          samples.breakers.push({ at: asked, states: Object.fromEntries(snapshot.breakers.map((b) => [`${b.service}→${b.dependency}`, b.state])) });
          samples.inFlight.push({ at: asked, values: Object.fromEntries(snapshot.inFlight.map((f) => [`${f.service}→${f.dependency}`, f.value])) });
        }),
        activeAlerts(cfg).then(
          (firing) => samples.alerts.push({ at: asked, alerts: firing }),
          () => undefined, // a hole in the samples: judging alerts over it says so
        ),
      ]);
      await sleep(1000);
    }
  })();
  return {
    ...samples,
    async stop() {
      sampling = false;
      await loop.catch(() => undefined);
    },
  };
}
