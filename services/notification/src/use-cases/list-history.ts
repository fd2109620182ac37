import { errors, type Principal } from '@faultline/platform';
import type { Deps } from '../deps.js';
import { listByUser } from '../store/notifications.js';

export const ADMIN_ROLE = 'admin';

export interface HistoryQuery {
  /** Another user's history: admins only. Default: the caller's own. */
  userId?: string | undefined;
  limit: number;
  offset: number;
}

/** A caller reads the messages sent to them (an admin may read anyone's), newest first. */
export async function listHistory(deps: Deps, caller: Principal, query: HistoryQuery) {
  const userId = query.userId ?? caller.userId;
  if (userId !== caller.userId && !caller.roles.includes(ADMIN_ROLE))
    throw errors.forbidden(`reading another user's notifications needs the ${ADMIN_ROLE} role`);
  const page = await listByUser(deps.pool, userId, query.limit, query.offset);
  return { userId, ...page, limit: query.limit, offset: query.offset };
}
