import { errors } from '@faultline/platform';
import type { UserDeps } from '../deps.js';
import { findUserById, type User, updateUserName } from '../store/users.js';

// A valid token for an account that no longer exists.
const gone = () => errors.notFound('user', 'the account of this token does not exist');

export async function getOwnProfile(deps: UserDeps, userId: string): Promise<User> {
  const user = await findUserById(deps.pool, userId);
  if (!user) throw gone();
  return user;
}

export async function renameSelf(deps: UserDeps, userId: string, name: string): Promise<User> {
  const user = await updateUserName(deps.pool, userId, name);
  if (!user) throw gone();
  return user;
}
