/**
 * An attempt that outlived its time limit. It carries cockatiel's task-cancelled marker, so
 * {@link isTimeout} and the HTTP error mapping know it as they knew cockatiel's timeout.
 */
export class AttemptTimedOut extends Error {
  readonly isTaskCancelledError = true;

  constructor(readonly timeoutMs: number) {
    super(`Operation timed out after ${timeoutMs}ms`);
    this.name = 'AttemptTimedOut';
  }
}

/**
 * Run one attempt under a time limit, as cockatiel's aggressive timeout with `abortOnReturn` off
 * did: `fn` gets a signal of its own, aborted when `timeoutMs` pass or the caller's signal aborts;
 * the attempt then rejects at once with {@link AttemptTimedOut}, without waiting for `fn`. A
 * finished attempt's signal is left alone.
 *
 * Why not cockatiel's `timeout` (cockatiel keeps the bulkhead, retry and breaker): on Node 20 it
 * was most of what the policy stack added to a call — side by side at load ~4, 7–10 µs a call
 * against 3.5–5 µs for this — mostly an abort listener on every attempt's fresh signal and another
 * on the caller's (a never-aborted stand-in when there is none). Here the timer aborts the signal
 * itself, and the caller's signal is listened to only when there is one. The signal itself (~2 µs
 * to create on Node 20) stays: the attempt's I/O needs it.
 */
export function withTimeLimit<T>(timeoutMs: number, fn: (signal: AbortSignal) => Promise<T>, caller?: AbortSignal): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const cancel = () => {
      settle();
      reject(new AttemptTimedOut(timeoutMs));
      controller.abort();
    };
    const timer = setTimeout(cancel, timeoutMs);
    const settle = () => {
      clearTimeout(timer);
      caller?.removeEventListener('abort', cancel);
    };
    // A caller that gave up already gets its answer without the dependency being asked at all.
    if (caller?.aborted) return cancel();
    caller?.addEventListener('abort', cancel);
    try {
      Promise.resolve(fn(controller.signal)).then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    } catch (error) {
      settle();
      reject(error);
    }
  });
}
