import type { RequestHandler } from 'express';
import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import { errors } from './errors.js';

/** The caller, as proven by a verified token. */
export interface Principal {
  userId: string;
  roles: string[];
  email?: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export interface AuthOptions {
  /** The user service's `/.well-known/jwks.json` (through its Toxiproxy edge). */
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/**
 * Verify RS256 bearer tokens locally against the user service's cached JWKS (keys are fetched
 * once and refreshed when an unknown key id appears). Returns the middlewares services mount.
 */
export function createAuth(options: AuthOptions) {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000, timeoutDuration: 2000 });

  async function verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: options.issuer, audience: options.audience, algorithms: ['RS256'] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw errors.unauthorized('the token has expired');
      if (error instanceof joseErrors.JOSEError && error.code === 'ERR_JWKS_TIMEOUT') throw errors.unavailable('the signing keys could not be fetched', 2);
      throw errors.unauthorized('the token is not valid');
    }
    if (typeof payload.sub !== 'string') throw errors.unauthorized('the token has no subject');
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    return { userId: payload.sub, roles, ...(typeof payload.email === 'string' ? { email: payload.email } : {}) };
  }

  /** Require a valid bearer token; sets `req.principal`. */
  const authenticate: RequestHandler = async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = header.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) {
      next(errors.unauthorized('send an Authorization: Bearer <token> header'));
      return;
    }
    try {
      req.principal = await verify(match[1]);
      next();
    } catch (error) {
      next(error);
    }
  };

  /** Require a valid token carrying `role` (after {@link authenticate}). */
  const requireRole =
    (role: string): RequestHandler =>
    (req, _res, next) => {
      next(req.principal?.roles.includes(role) ? undefined : errors.forbidden(`the ${role} role is required`));
    };

  return { verify, authenticate, requireRole };
}
