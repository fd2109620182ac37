import { createHash, timingSafeEqual } from 'node:crypto';
import { grantedScopes } from '@faultline/contracts';
import { AppError } from '@faultline/platform';
import type { ServiceAccessToken } from '../auth/tokens.js';
import type { UserDeps } from '../deps.js';

const digest = (text: string) => createHash('sha256').update(text).digest();
const invalidClient = () => new AppError('invalid-client', 401, 'Invalid client', { detail: 'unknown client or wrong secret' });

/**
 * Client credentials → a short-lived service token for one callee (`audience`), carrying every
 * scope `SERVICE_GRANTS` gives this client there. An audience the client holds nothing at is
 * refused (400 invalid-target), so a token never names a callee it cannot use.
 */
export async function issueServiceToken(deps: UserDeps, request: { client_id: string; client_secret: string; audience: string }): Promise<ServiceAccessToken> {
  const known = deps.clients[request.client_id];
  // Compared as digests, in constant time, and the same work for an unknown client.
  const matches = timingSafeEqual(digest(known ?? '\u0000'), digest(request.client_secret));
  if (known === undefined || !matches) {
    deps.logger.warn('service token refused', { client: request.client_id, reason: 'invalid-client' });
    throw invalidClient();
  }
  const scopes = grantedScopes(request.client_id, request.audience);
  if (scopes.length === 0)
    throw new AppError('invalid-target', 400, 'Invalid target', { detail: `${request.client_id} holds no scope at ${request.audience}` });
  return deps.tokens.issueService(request.client_id, request.audience, scopes);
}
