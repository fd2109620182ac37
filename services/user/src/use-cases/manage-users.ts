import { AppError, errors } from '@faultline/platform';
import type { UserDeps } from '../deps.js';
import { findUserById, listUsers, type Role, type User, updateUserRoles } from '../store/users.js';

export async function browseUsers(deps: UserDeps, page: { limit: number; offset: number }): Promise<{ items: User[]; total: number }> {
  return listUsers(deps.pool, page);
}

export async function getUser(deps: UserDeps, id: string): Promise<User> {
  const user = await findUserById(deps.pool, id);
  if (!user) throw errors.notFound('user');
  return user;
}

/**
 * Replace a user's roles. An admin cannot take the admin role from themselves (so the shop
 * is never locked out by accident). Tokens already issued keep their roles until they expire.
 */
export async function setUserRoles(deps: UserDeps, actorId: string, id: string, roles: readonly Role[]): Promise<User> {
  if (actorId === id && !roles.includes('admin'))
    throw new AppError('admin-self-demotion', 409, 'Conflict', { detail: 'an admin cannot remove their own admin role', extensions: { field: 'roles' } });
  const user = await updateUserRoles(deps.pool, id, roles);
  if (!user) throw errors.notFound('user');
  deps.logger.info('user roles set', { userId: id, roles: roles.join(','), by: actorId });
  return user;
}
