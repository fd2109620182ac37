import { randomUUID } from 'node:crypto';
import { eventSchemas } from '@faultline/contracts';
import { createEnvelope, enqueueEvent, errors, withTransaction } from '@faultline/platform';
import { hashPassword } from '../auth/passwords.js';
import type { UserDeps } from '../deps.js';
import { insertUser, type Role, type User } from '../store/users.js';

export interface Registration {
  email: string;
  name: string;
  password: string;
}

/**
 * Create an account and announce it: the user row and its `user.registered` event are written
 * in one transaction, so there is never a user without the event or an event without the user.
 */
/** Self-registration through the API: limited per address and per email, then {@link registerUser}. */
export async function registerSelf(deps: UserDeps, registration: Registration, address = 'unknown'): Promise<User> {
  deps.limits.registrationsByAddress.hit(address, 'registrations from this address');
  deps.limits.registrationsByAccount.hit(registration.email, 'registrations for this email');
  return registerUser(deps, registration);
}

export async function registerUser(deps: UserDeps, registration: Registration, roles: readonly Role[] = ['customer']): Promise<User> {
  // Hash before the transaction: the slow KDF must not hold a connection.
  const passwordHash = await deps.hashing.run(() => hashPassword(registration.password));
  const user = await withTransaction(deps.pool, async (tx) => {
    const created = await insertUser(tx, { id: randomUUID(), email: registration.email, name: registration.name, passwordHash, roles });
    if (!created) throw errors.conflict('email-taken', 'an account with this email already exists');
    const data = eventSchemas['user.registered'].parse({ userId: created.id, email: created.email, name: created.name });
    await enqueueEvent(tx, createEnvelope('user.registered', data));
    return created;
  });
  deps.metrics.registered.inc();
  deps.logger.info('user registered', { userId: user.id });
  return user;
}
