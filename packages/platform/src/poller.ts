/** A background loop of rounds with an interruptible rest between them. */
export interface Poller {
  /** Start the loop (again, after a stop); a running poller ignores it. */
  start(): void;
  /**
   * Cut the current rest short (a NOTIFY, a dependency back): the next round runs now. A wake that
   * comes while a round runs is kept: that round is followed by another at once, whatever rest it asked for.
   */
  wake(): void;
  /** Cut the rest short, let the round in progress finish, and end the loop. */
  stop(): Promise<void>;
  readonly running: boolean;
}

export interface PollerOptions {
  /** One round; resolves with how long to rest before the next (0: go again at once). */
  round: () => Promise<number>;
  /** A round threw: log it and say how long to rest before trying again. */
  onError: (error: unknown) => number;
}

/** The interruptible poll loop the outbox relay and the saga worker share. */
export function createPoller({ round, onError }: PollerOptions): Poller {
  let stopped = true;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  /** A wake arrived while a round ran (it may have looked before what woke it was there). */
  let wokenDuringRound = false;

  const rest = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function run(): Promise<void> {
    while (!stopped) {
      let restMs: number;
      wokenDuringRound = false;
      try {
        restMs = await round();
      } catch (error) {
        restMs = onError(error);
      }
      if (!stopped && restMs > 0 && !wokenDuringRound) await rest(restMs);
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      loop = run();
    },
    wake() {
      if (wake) wake();
      else if (!stopped) wokenDuringRound = true;
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
    get running() {
      return !stopped;
    },
  };
}
