import { AppError } from './errors.js';
import type { Logger } from './logging.js';

export interface ServiceTokensOptions {
  /** The user service's `/v1/oauth/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  /** One token request's time limit. */
  timeoutMs?: number;
  /** After a failed request, wait this long before asking again (calls meanwhile use the held token). */
  retryAfterFailureMs?: number;
  now?: () => number;
}

interface Held {
  token: string;
  expiresAt: number;
  renewAt: number;
}

/** What obtains the bearer token for one callee; the HTTP client asks it before each call. */
export type ServiceTokenSource = () => Promise<string>;

const unavailable = (audience: string, detail: string) =>
  new AppError('service-token-unavailable', 503, 'Service token unavailable', { detail: `no token for ${audience}: ${detail}`, retryAfterSec: 2 });

/**
 * Service tokens by client credentials, one per callee (`aud`). A token is renewed after half its
 * life; while the user service cannot be reached the held token keeps being used until it
 * expires, so a user-service outage shorter than half a token's life is invisible.
 */
export function createServiceTokens(options: ServiceTokensOptions) {
  const now = options.now ?? Date.now;
  const held = new Map<string, Held>();
  const inflight = new Map<string, Promise<Held>>();
  const failedAt = new Map<string, number>();
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 1000;

  async function request(audience: string): Promise<Held> {
    const requestedAt = now();
    const response = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret, audience }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
    });
    const body = (await response.json().catch(() => undefined)) as { access_token?: string; expires_in?: number; name?: string } | undefined;
    if (!response.ok || typeof body?.access_token !== 'string' || typeof body.expires_in !== 'number')
      throw new Error(`the token endpoint answered ${response.status}${body?.name ? ` ${body.name}` : ''}`);
    const lifeMs = body.expires_in * 1000;
    return { token: body.access_token, expiresAt: requestedAt + lifeMs, renewAt: requestedAt + lifeMs / 2 };
  }

  function renew(audience: string): Promise<Held> {
    let pending = inflight.get(audience);
    if (!pending) {
      pending = request(audience)
        .then((fresh) => {
          held.set(audience, fresh);
          failedAt.delete(audience);
          return fresh;
        })
        .catch((error: unknown) => {
          failedAt.set(audience, now());
          const current = held.get(audience);
          const fields = { dependency: audience, error: error instanceof Error ? error : new Error(String(error)) };
          if (current && current.expiresAt > now()) options.logger.warn('service token could not be renewed; the held one stays in use', fields);
          else options.logger.error('service token could not be obtained', fields);
          throw error;
        })
        .finally(() => inflight.delete(audience));
      inflight.set(audience, pending);
    }
    return pending;
  }

  /** A valid token for `audience`: the held one, renewed after half its life. */
  async function tokenFor(audience: string): Promise<string> {
    const current = held.get(audience);
    const at = now();
    if (current && at < current.renewAt) return current.token;
    const recentlyFailed = at - (failedAt.get(audience) ?? Number.NEGATIVE_INFINITY) < retryAfterFailureMs;
    // Still valid (with a second's margin): renew in the background, answer with the one held.
    if (current && at < current.expiresAt - 1000) {
      if (!recentlyFailed) renew(audience).catch(() => undefined);
      return current.token;
    }
    if (recentlyFailed) throw unavailable(audience, 'the user service could not be reached a moment ago');
    try {
      return (await renew(audience)).token;
    } catch (error) {
      throw unavailable(audience, error instanceof Error ? error.message : String(error));
    }
  }

  return {
    tokenFor,
    /** The source for one callee, for {@link createHttpClient}'s `serviceToken`. */
    sourceFor:
      (audience: string): ServiceTokenSource =>
      () =>
        tokenFor(audience),
  };
}

export type ServiceTokens = ReturnType<typeof createServiceTokens>;
