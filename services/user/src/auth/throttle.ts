import { AppError } from '@faultline/platform';

/**
 * A fixed-window counter per key (an address, an email): at most `limit` hits per `windowMs`.
 * In memory, per instance: enough to stop a flood or a guessing run against one instance.
 */
export function createRateLimit({ limit, windowMs, now = Date.now }: { limit: number; windowMs: number; now?: () => number }) {
  const windows = new Map<string, { start: number; count: number }>();
  const current = (key: string) => {
    const at = now();
    let window = windows.get(key);
    if (!window || at - window.start >= windowMs) {
      window = { start: at, count: 0 };
      windows.set(key, window);
      if (windows.size > 100_000) for (const [k, w] of windows) if (at - w.start >= windowMs) windows.delete(k);
    }
    return window;
  };
  const retryAfterSec = (window: { start: number }) => Math.max(1, Math.ceil((window.start + windowMs - now()) / 1000));
  return {
    /** Count a hit; throws 429 `too-many-requests` with Retry-After once the window is full. */
    hit(key: string, what: string): void {
      const window = current(key);
      if (window.count >= limit) throw tooMany(what, retryAfterSec(window));
      window.count += 1;
    },
    /** Throws 429 when the window is full, without counting. */
    check(key: string, what: string): void {
      const window = current(key);
      if (window.count >= limit) throw tooMany(what, retryAfterSec(window));
    },
    /** Count without checking (a failure that happened). */
    count(key: string): void {
      current(key).count += 1;
    },
  };
}

const tooMany = (what: string, retryAfterSec: number) =>
  new AppError('too-many-requests', 429, 'Too many requests', { detail: `too many ${what}; retry after ${retryAfterSec} s`, retryAfterSec });

/**
 * Bounds the password hashing: `concurrency` at once (scrypt runs on libuv's 4 threads), `queue`
 * waiting; past that the answer is 503 `password-hashing-busy` at once rather than seconds of queueing.
 */
export function createHashingGate({ concurrency, queue }: { concurrency: number; queue: number }) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (running >= concurrency) {
        if (waiting.length >= queue)
          throw new AppError('password-hashing-busy', 503, 'Password hashing busy', { detail: 'too many logins and registrations at once', retryAfterSec: 1 });
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else running += 1;
      try {
        return await work();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiting.length;
    },
  };
}

export type RateLimit = ReturnType<typeof createRateLimit>;
export type HashingGate = ReturnType<typeof createHashingGate>;
