import { randomUUID } from 'node:crypto';
import { createPoller, type DbPool, type Logger } from '@faultline/platform';
import { claimDueSagas, deferSaga } from '../store/saga-store.js';
import type { KnownSaga, RunResult, SagaRunner } from './runner.js';

export interface SagaWorkerOptions {
  pool: DbPool;
  logger: Logger;
  runner: SagaRunner;
  pollMs: number;
  batchSize: number;
  leaseMs: number;
  /** Where a run that failed unexpectedly (a bug, the database away) is retried. */
  failureDelayMs: number;
}

/**
 * Polls the database for due sagas and runs them; also runs the checkout request's own saga, so
 * one place knows every run in flight and stops them all on shutdown. All state is in the
 * database, so a new instance (or a restarted one) resumes whatever was in flight.
 */
export function createSagaWorker({ pool, logger, runner, pollMs, batchSize, leaseMs, failureDelayMs }: SagaWorkerOptions) {
  const instance = randomUUID();
  const interrupt = new AbortController();
  const running = new Map<string, Promise<RunResult>>();

  /** Run the leased saga of `orderId` in the background; resolves when this run ends. */
  function run(orderId: string, owner: string, known?: KnownSaga): Promise<RunResult> {
    const task = runner
      .run(orderId, owner, interrupt.signal, known)
      .catch(async (error: unknown) => {
        logger.error('saga run failed', { orderId, error: error instanceof Error ? error : undefined });
        await deferSaga(pool, orderId, owner, String(error), new Date(Date.now() + failureDelayMs)).catch(() => undefined);
        return { end: 'waiting' } as const;
      })
      .finally(() => running.delete(orderId));
    running.set(orderId, task);
    return task;
  }

  /** Claim what is due (up to the free capacity) and start it. Returns how many were claimed. */
  async function poll(): Promise<number> {
    const capacity = batchSize - running.size;
    if (capacity <= 0 || interrupt.signal.aborted) return 0;
    const claimed = await claimDueSagas(pool, `${instance}:${randomUUID().slice(0, 8)}`, leaseMs, capacity);
    for (const { orderId, leaseOwner } of claimed) void run(orderId, leaseOwner);
    return claimed.length;
  }

  // Each round claims what is due; a failed claim (the database away) is retried after the same rest.
  const poller = createPoller({
    round: async () => {
      await poll();
      return pollMs;
    },
    onError: (error) => {
      logger.warn('saga poll failed', { error: error instanceof Error ? error : undefined });
      return pollMs;
    },
  });

  return {
    run,
    poll,
    start(): void {
      if (poller.running || interrupt.signal.aborted) return; // a stopped worker stays stopped
      poller.start();
      logger.info('saga worker started', { instance, pollMs });
    },
    /** Interrupt every run (each gives its saga back, resumable), then stop polling. */
    async stop(): Promise<void> {
      interrupt.abort();
      await poller.stop();
      await Promise.allSettled([...running.values()]);
    },
    get inFlight(): number {
      return running.size;
    },
  };
}

export type SagaWorker = ReturnType<typeof createSagaWorker>;
