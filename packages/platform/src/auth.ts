import type { RequestHandler } from 'express';
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError, errors, isAppError } from './errors.js';
import { createJwksCache, type JwksCache } from './jwks-cache.js';

/** The caller, as proven by a verified token: a person (customer, admin) or another service. */
export interface Principal {
  kind: 'user' | 'service';
  /** The user id, or for a service the client's name (`order`). */
  userId: string;
  roles: string[];
  /** What a service token allows at this service (`payments:charge`); empty for a person. */
  scopes: string[];
  email?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/**
 * Who may call a route, enforced by the platform from the declaration alone: `public` (anyone),
 * `user` (a person's token), `admin` (a person with the admin role), or `{ service: scope }` (a
 * service token for this service carrying that scope; a person's token is refused).
 */
export type RouteAuth = 'public' | 'user' | 'admin' | { service: string };

/** What checks a bearer token; the user service verifies its own tokens without HTTP. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** Settings of a service that verifies tokens; spread into its config shape. */
export const authConfigShape = {
  JWKS_URL: z.url(),
  JWT_ISSUER: z.string().min(1).default('faultline-user'),
  JWT_AUDIENCE: z.string().min(1).default('faultline'),
  /** Signing keys younger than this are used as they are; older ones are served while one refresh runs. */
  JWKS_MAX_AGE_SEC: z.coerce.number().min(0.1).default(300),
  /** At most one JWKS fetch per this many seconds, however many requests ask. */
  JWKS_MIN_INTERVAL_SEC: z.coerce.number().min(0.1).default(5),
  /** The user service's token endpoint (`/v1/oauth/token`), for a service that calls internal routes. */
  SERVICE_TOKEN_URL: z.url().optional(),
  /** This service's client credentials (the id defaults to SERVICE_NAME), from the lab. */
  SERVICE_CLIENT_ID: z.string().min(1).optional(),
  SERVICE_CLIENT_SECRET: z.string().min(16).optional(),
};

export interface AuthOptions {
  /** The user service's `/.well-known/jwks.json` (through its Toxiproxy edge). */
  jwksUrl: string;
  issuer: string;
  /** `aud` of a person's token (`faultline`). */
  audience: string;
  /** `aud` of a service token meant for this service: its name. */
  serviceAudience: string;
  jwksMaxAgeMs?: number;
  jwksMinIntervalMs?: number;
  onJwksError?: (error: unknown) => void;
  /**
   * How long a verified token is admitted again without verifying its signature (default 30 s;
   * never past its `exp`; 0 verifies every time). An RS256 verification was a noticeable part of
   * every authenticated request, and a session sends the same token many times.
   */
  verifiedTokenMaxAgeMs?: number;
}

/** At most this many verified tokens are remembered (the oldest go first). */
const VERIFIED_TOKENS_MAX = 5000;

/** The principal a verified payload proves, or a 401. */
export function principalOf(payload: JWTPayload, audiences: { audience: string; serviceAudience?: string }): Principal {
  if (typeof payload.sub !== 'string') throw errors.unauthorized('the token has no subject');
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (payload.token_use === 'service') {
    if (!audiences.serviceAudience || !aud.includes(audiences.serviceAudience)) throw errors.unauthorized('the service token is meant for another service');
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    return { kind: 'service', userId: payload.sub, roles: [], scopes };
  }
  if (!aud.includes(audiences.audience)) throw errors.unauthorized('the token is meant for another audience');
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return { kind: 'user', userId: payload.sub, roles, scopes: [], ...(typeof payload.email === 'string' ? { email: payload.email } : {}) };
}

/** The 401 a jose verification failure means (an AppError, e.g. 503 from the key cache, passes through). */
export function tokenFailure(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof joseErrors.JWTExpired) return errors.unauthorized('the token has expired');
  return errors.unauthorized('the token is not valid');
}

const bearerOf = (header: string | undefined) => header?.match(/^Bearer\s+(\S+)$/i)?.[1];

/**
 * The middleware enforcing one route's declared {@link RouteAuth}: 401 without a valid token,
 * 403 `service-token-required` for a person's token on an internal route, 403
 * `insufficient-scope` for a service token without the scope, 403 `user-token-required` for a
 * service token on a person's route, 403 `forbidden` without the admin role.
 */
export function guardRoute(verifier: TokenVerifier, auth: Exclude<RouteAuth, 'public'>): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerOf(req.get('authorization'));
    if (!token) {
      next(errors.unauthorized('send an Authorization: Bearer <token> header'));
      return;
    }
    let principal: Principal;
    try {
      principal = await verifier.verify(token);
    } catch (error) {
      next(tokenFailure(error));
      return;
    }
    req.principal = principal;
    if (typeof auth === 'object') {
      if (principal.kind !== 'service')
        next(new AppError('service-token-required', 403, 'Service token required', { detail: 'this route is for services only' }));
      else if (!principal.scopes.includes(auth.service))
        next(
          new AppError('insufficient-scope', 403, 'Insufficient scope', {
            detail: `the scope ${auth.service} is required`,
            extensions: { scope: auth.service },
          }),
        );
      else next();
      return;
    }
    if (principal.kind !== 'user') next(new AppError('user-token-required', 403, 'User token required', { detail: 'this route is for people, not services' }));
    else if (auth === 'admin' && !principal.roles.includes('admin')) next(errors.forbidden('the admin role is required'));
    else next();
  };
}

/**
 * Verify RS256 bearer tokens locally against the user service's signing keys, cached with
 * stale-while-revalidate (see {@link createJwksCache}).
 */
export function createAuth(options: AuthOptions): TokenVerifier & { jwks: JwksCache } {
  const jwks = createJwksCache({
    url: options.jwksUrl,
    ...(options.jwksMaxAgeMs === undefined ? {} : { maxAgeMs: options.jwksMaxAgeMs }),
    ...(options.jwksMinIntervalMs === undefined ? {} : { minIntervalMs: options.jwksMinIntervalMs }),
    ...(options.onJwksError ? { onFetchError: options.onJwksError } : {}),
  });
  const maxAgeMs = options.verifiedTokenMaxAgeMs ?? 30_000;
  const verified = new Map<string, { principal: Principal; until: number }>();
  return {
    jwks,
    async verify(token) {
      const now = Date.now();
      const known = verified.get(token);
      if (known && known.until > now) return known.principal;
      if (known) verified.delete(token);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks.getKey, { issuer: options.issuer, algorithms: ['RS256'] }));
      } catch (error) {
        throw tokenFailure(error);
      }
      const principal = principalOf(payload, options);
      if (maxAgeMs > 0) {
        if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value as string);
        const expires = typeof payload.exp === 'number' ? payload.exp * 1000 : now + maxAgeMs;
        verified.set(token, { principal, until: Math.min(now + maxAgeMs, expires) });
      }
      return principal;
    },
  };
}

/** {@link createAuth} from a config with {@link authConfigShape}. */
export function authFromConfig(
  config: { SERVICE_NAME: string; JWKS_URL: string; JWT_ISSUER: string; JWT_AUDIENCE: string; JWKS_MAX_AGE_SEC: number; JWKS_MIN_INTERVAL_SEC: number },
  logger?: { warn(message: string, fields?: Record<string, unknown>): void },
) {
  return createAuth({
    jwksUrl: config.JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    serviceAudience: config.SERVICE_NAME,
    jwksMaxAgeMs: config.JWKS_MAX_AGE_SEC * 1000,
    jwksMinIntervalMs: config.JWKS_MIN_INTERVAL_SEC * 1000,
    ...(logger
      ? {
          onJwksError: (error: unknown) =>
            logger.warn('signing keys could not be fetched; cached keys stay in use', { error: error instanceof Error ? error : new Error(String(error)) }),
        }
      : {}),
  });
}
