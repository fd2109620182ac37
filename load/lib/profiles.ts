import { SLO_THRESHOLDS } from './config.ts';

type Scenario = Record<string, unknown>;

/**
 * Named load profiles: each is a k6 scenario set plus thresholds. Every profile is bounded in
 * time (and so in count); `DURATION_SCALE` shrinks them for CI (0.1 = a tenth of the time).
 */
const scale = Number(__ENV.DURATION_SCALE ?? '1');
const s = (seconds: number) => `${Math.max(1, Math.round(seconds * scale))}s`;

/**
 * The shop's capacity in shoppers per second (the mixed shopper of shop.ts: browse, and one in
 * five checks out) at p99 ≤ 500 ms and < 0.1 % errors, as `npm run bench:shop` measures it (the
 * README has the figures); `CAPACITY` overrides it for another machine. The profiles are shares of
 * it: `average` well under it, `stress` and `spike` past it on purpose, `breakpoint` ramps to three
 * times it to find the knee.
 */
export const CAPACITY = Number(__ENV.CAPACITY ?? '25');
/** Shoppers per second at `share` of the capacity (at least one). */
export const atCapacity = (share: number) => Math.max(1, Math.round(CAPACITY * share));

const ramping = (stages: [number, number][], exec = 'shopper'): Scenario => ({
  executor: 'ramping-arrival-rate',
  exec,
  startRate: stages[0]?.[1] ?? 1,
  timeUnit: '1s',
  preAllocatedVUs: 20,
  // Past the knee answers slow down and every waiting iteration holds a virtual user.
  maxVUs: Math.min(600, Math.max(200, atCapacity(3) * 4)),
  stages: stages.map(([seconds, target]) => ({ duration: s(seconds), target })),
});

export const PROFILES: Record<string, { scenarios: Record<string, Scenario>; thresholds: Record<string, string[]> }> = {
  /** A handful of iterations: does every journey work at all? */
  smoke: { scenarios: { smoke: { executor: 'shared-iterations', exec: 'shopper', vus: 2, iterations: 10, maxDuration: s(60) } }, thresholds: SLO_THRESHOLDS },
  /** A normal day: 40 % of capacity. */
  average: {
    scenarios: {
      average: ramping([
        [30, atCapacity(0.4)],
        [240, atCapacity(0.4)],
        [30, 0],
      ]),
    },
    thresholds: SLO_THRESHOLDS,
  },
  /** Past the normal day until something gives: 75 %, then 125 % and 150 % of capacity. */
  stress: {
    scenarios: {
      stress: ramping([
        [60, atCapacity(0.75)],
        [120, atCapacity(1.25)],
        [120, atCapacity(1.5)],
        [60, 0],
      ]),
    },
    thresholds: { ...SLO_THRESHOLDS, http_req_failed: ['rate<0.05'] },
  },
  /** A sudden burst and back: from 20 % to twice the capacity for 30 s. */
  spike: {
    scenarios: {
      spike: ramping([
        [10, atCapacity(0.2)],
        [10, atCapacity(2)],
        [30, atCapacity(2)],
        [10, atCapacity(0.2)],
        [30, atCapacity(0.2)],
      ]),
    },
    thresholds: { ...SLO_THRESHOLDS, http_req_failed: ['rate<0.05'] },
  },
  /** Long and steady, for leaks and drift (run it on purpose: one hour at 30 % of capacity). */
  soak: {
    scenarios: {
      soak: ramping([
        [60, atCapacity(0.3)],
        [3480, atCapacity(0.3)],
        [60, 0],
      ]),
    },
    thresholds: SLO_THRESHOLDS,
  },
  /** Keep raising the rate (to three times capacity over 10 min) until the thresholds abort the run: where is the knee? */
  breakpoint: {
    scenarios: { breakpoint: ramping([[600, atCapacity(3)]]) },
    thresholds: { http_req_failed: [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '10s' }] as unknown as string[] },
  },
  /** A chaos experiment's load: RATE shoppers per second for DURATION seconds. */
  experiment: {
    scenarios: {
      experiment: {
        executor: 'constant-arrival-rate',
        exec: 'shopper',
        rate: Number(__ENV.RATE ?? '5'),
        timeUnit: '1s',
        duration: `${__ENV.DURATION ?? '60'}s`,
        preAllocatedVUs: 20,
        maxVUs: 300,
        gracefulStop: '5s',
      },
    },
    thresholds: {},
  },
  /**
   * One step of `bench:shop`: RATE iterations per second of JOURNEY (`checkout`: checkout only;
   * `shopper`: the mixed shopper) for DURATION seconds, at most MAX_VUS in flight (one pre-made
   * session each); the benchmark judges the step from the summary, so no thresholds here.
   */
  capacity: {
    scenarios: {
      capacity: {
        executor: 'constant-arrival-rate',
        exec: __ENV.JOURNEY === 'checkout' ? 'checkoutOnly' : 'shopper',
        rate: Number(__ENV.RATE ?? '10'),
        timeUnit: '1s',
        duration: `${__ENV.DURATION ?? '10'}s`,
        preAllocatedVUs: Math.min(Number(__ENV.MAX_VUS ?? '100'), Math.max(5, Number(__ENV.RATE ?? '10'))),
        maxVUs: Number(__ENV.MAX_VUS ?? '100'),
        gracefulStop: '5s',
      },
    },
    // Always met: it makes k6 report the orders placed on their own.
    thresholds: { 'http_reqs{name:place order}': ['count>=0'] },
  },
  /** Gentle background traffic while the lab runs (npm start), so the dashboards have data. */
  ambient: {
    scenarios: {
      ambient: {
        executor: 'constant-arrival-rate',
        exec: 'shopper',
        rate: 2,
        timeUnit: '1s',
        duration: __ENV.AMBIENT_DURATION ?? '8h',
        preAllocatedVUs: 4,
        maxVUs: 10,
      },
    },
    thresholds: {},
  },
};

export function profile(name: string) {
  const found = PROFILES[name];
  if (!found) throw new Error(`unknown profile "${name}": choose one of ${Object.keys(PROFILES).join(', ')}`);
  return found;
}
