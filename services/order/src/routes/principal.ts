import { errors, type Principal } from '@faultline/platform';
import type { Request } from 'express';

/** The caller proven by the auth middleware (mounted on every route that calls this). */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw errors.unauthorized();
  return req.principal;
}
