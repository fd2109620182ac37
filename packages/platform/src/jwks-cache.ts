import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters, errors as joseErrors } from 'jose';
import { AppError } from './errors.js';

export interface JwksCacheOptions {
  /** The user service's `/.well-known/jwks.json`. */
  url: string;
  /** Keys younger than this are used without asking again; older ones are still used while a refresh runs. */
  maxAgeMs?: number;
  /** At most one fetch per this interval, whatever the traffic (unknown key ids included). */
  minIntervalMs?: number;
  /** One fetch's time limit. */
  timeoutMs?: number;
  /** Told about each failed fetch (the cache keeps serving what it has). */
  onFetchError?: (error: unknown) => void;
  now?: () => number;
}

type KeyGetter = ReturnType<typeof createLocalJWKSet>;

/** 503 signing-keys-unavailable: no key was ever known (or an unknown key id could not be looked up). */
export const signingKeysUnavailable = (detail: string, retryAfterSec: number) =>
  new AppError('signing-keys-unavailable', 503, 'Signing keys unavailable', { detail, retryAfterSec });

/**
 * The signing keys of the user service, cached with stale-while-revalidate: fresh keys are used
 * as they are; stale keys are still used while one background fetch revalidates them; an unknown
 * key id triggers a fetch, but never more than one per `minIntervalMs`. A network failure is
 * never a verdict about a token: it answers 503 `signing-keys-unavailable` only when no key was
 * ever known (or the token's key id is unknown and the keys could not be fetched).
 */
export function createJwksCache(options: JwksCacheOptions) {
  const maxAgeMs = options.maxAgeMs ?? 300_000;
  const minIntervalMs = options.minIntervalMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  let keys: KeyGetter | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let lastFailed = false;
  let inflight: Promise<void> | undefined;
  let fetches = 0;

  const retryAfter = () => Math.max(1, Math.ceil((attemptedAt + minIntervalMs - now()) / 1000));

  function refresh(): Promise<void> {
    inflight ??= (async () => {
      attemptedAt = now();
      fetches += 1;
      try {
        const response = await fetch(options.url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
        if (!response.ok) throw new Error(`${options.url} answered ${response.status}`);
        const body = (await response.json()) as JSONWebKeySet;
        if (!Array.isArray(body?.keys)) throw new Error(`${options.url} answered no key set`);
        keys = createLocalJWKSet(body);
        fetchedAt = now();
        lastFailed = false;
      } catch (error) {
        lastFailed = true;
        options.onFetchError?.(error);
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  const mayFetch = () => now() - attemptedAt >= minIntervalMs;

  /** A jose key getter: the key for a token's header, from the cache. */
  async function getKey(header: JWSHeaderParameters, token: Parameters<KeyGetter>[1]) {
    if (!keys) {
      if (inflight) await inflight;
      else if (mayFetch()) await refresh();
      if (!keys) throw signingKeysUnavailable('no signing key is known yet and the user service cannot be reached', retryAfter());
    } else if (now() - fetchedAt > maxAgeMs && mayFetch()) {
      void refresh(); // stale: serve it, revalidate in the background
    }
    try {
      return await (keys as KeyGetter)(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      // A key id we do not know: maybe a new key. Look once (bounded), then decide.
      if (inflight) await inflight;
      else if (mayFetch()) await refresh();
      try {
        return await (keys as KeyGetter)(header, token);
      } catch (again) {
        if (again instanceof joseErrors.JWKSNoMatchingKey && lastFailed)
          throw signingKeysUnavailable('the token is signed with a key that cannot be looked up right now', retryAfter());
        throw again;
      }
    }
  }

  return {
    getKey,
    /** Fetch now (at start), without failing when the user service is not up yet. */
    warm: () => refresh(),
    /** How many fetches were made (tests and the metric). */
    get fetches() {
      return fetches;
    },
    /** True once any key set was fetched. */
    get known() {
      return keys !== undefined;
    },
  };
}

export type JwksCache = ReturnType<typeof createJwksCache>;
