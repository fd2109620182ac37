import { ConfigError, isAppError } from '@faultline/platform';
import type { UserDeps } from '../deps.js';
import { findUserByEmail } from '../store/users.js';
import { registerUser } from './register-user.js';

/**
 * Create the first admin (ADMIN_EMAIL / ADMIN_PASSWORD) when no account has that email. It only
 * ever creates: an existing account with the email is left exactly as it is — never promoted,
 * since whoever registered it first would otherwise become admin with their own password.
 * Safe to run at every start and on several instances at once.
 */
export async function seedAdmin(deps: UserDeps, admin: { email: string | undefined; password: string | undefined }): Promise<void> {
  if (!admin.email && !admin.password) return;
  if (!admin.email || !admin.password)
    throw new ConfigError([admin.email ? 'ADMIN_PASSWORD is required when ADMIN_EMAIL is set' : 'ADMIN_EMAIL is required when ADMIN_PASSWORD is set']);
  const email = admin.email.trim().toLowerCase();
  const existing = await findUserByEmail(deps.pool, email);
  if (existing) {
    if (!existing.roles.includes('admin'))
      deps.logger.warn('ADMIN_EMAIL belongs to an account without the admin role; it is not promoted', { userId: existing.id });
    return;
  }
  try {
    const user = await registerUser(deps, { email, name: 'Administrator', password: admin.password }, ['customer', 'admin']);
    deps.logger.info('admin seeded', { userId: user.id });
  } catch (error) {
    // Another instance seeded it between our read and our insert.
    if (!(isAppError(error) && error.errorName === 'email-taken')) throw error;
  }
}
