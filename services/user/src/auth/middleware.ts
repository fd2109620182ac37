import { errors, type RouteSpec } from '@faultline/platform';
import type { z } from 'zod';
import type { Tokens } from './tokens.js';

type Middleware = NonNullable<RouteSpec<z.ZodObject, z.ZodObject, z.ZodType>['middleware']>[number];

/** Require a valid bearer token issued by this service; sets `req.principal`. */
export function authenticate(tokens: Tokens): Middleware {
  return (req, _res, next) => {
    const match = (req.get('authorization') ?? '').match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) {
      next(errors.unauthorized('send an Authorization: Bearer <token> header'));
      return;
    }
    tokens.verify(match[1]).then(
      (principal) => {
        req.principal = principal;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/** Require the token to carry `role` (after {@link authenticate}). */
export const requireRole =
  (role: string): Middleware =>
  (req, _res, next) => {
    next(req.principal?.roles.includes(role) ? undefined : errors.forbidden(`the ${role} role is required`));
  };
