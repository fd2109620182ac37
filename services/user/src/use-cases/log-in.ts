import { AppError } from '@faultline/platform';
import { verifyAgainstDummy, verifyPassword } from '../auth/passwords.js';
import type { AccessToken } from '../auth/tokens.js';
import type { UserDeps } from '../deps.js';
import { findUserByEmail } from '../store/users.js';

// One answer for a wrong password and an unknown email, so a login does not reveal accounts.
const invalidCredentials = () => new AppError('invalid-credentials', 401, 'Invalid credentials', { detail: 'the email or the password is wrong' });

/** Exchange an email and password for a short-lived access token carrying the user's roles. */
export async function logIn(deps: UserDeps, credentials: { email: string; password: string }, address = 'unknown'): Promise<AccessToken> {
  deps.limits.loginsByAddress.hit(address, 'logins from this address');
  deps.limits.loginFailuresByAccount.check(credentials.email, 'failed logins for this account');
  const user = await findUserByEmail(deps.pool, credentials.email);
  const valid = await deps.hashing.run(() => (user ? verifyPassword(credentials.password, user.passwordHash) : verifyAgainstDummy(credentials.password)));
  if (!user || !valid) {
    deps.limits.loginFailuresByAccount.count(credentials.email);
    deps.metrics.logins.inc({ outcome: 'invalid_credentials' });
    throw invalidCredentials();
  }
  const token = await deps.tokens.issue(user);
  deps.metrics.logins.inc({ outcome: 'success' });
  deps.logger.info('user logged in', { userId: user.id });
  return token;
}
