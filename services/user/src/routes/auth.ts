import type { Api } from '@faultline/platform';
import type { UserDeps } from '../deps.js';
import { issueServiceToken } from '../use-cases/issue-service-token.js';
import { logIn } from '../use-cases/log-in.js';
import { registerSelf } from '../use-cases/register-user.js';
import { accessTokenSchema, jwksSchema, loginBody, registerBody, serviceTokenBody, serviceTokenSchema, toUserView, userSchema } from './schemas.js';

const throttled = {
  429: { description: 'too-many-requests: too many from this address or for this account (Retry-After)' },
  503: { description: 'password-hashing-busy: too many logins and registrations at once (Retry-After)' },
};

/** Public routes under `/v1/auth` (the gateway's `/api/auth`). */
export function authRoutes(api: Api, deps: UserDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/auth/register',
      summary: 'Register an account (role customer); publishes user.registered',
      tags: ['auth'],
      auth: 'public',
      body: registerBody,
      responses: {
        201: { description: 'Registered', schema: userSchema },
        400: { description: 'Invalid input (validation-failed names the field)' },
        409: { description: 'email-taken' },
        ...throttled,
      },
    },
    async ({ body, req }) => {
      const user = await registerSelf(deps, body, req.ip);
      return { status: 201, body: toUserView(user), headers: { location: `/v1/users/${user.id}` } };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/auth/login',
      summary: 'Log in with email and password; returns an RS256 access token (15 min)',
      tags: ['auth'],
      auth: 'public',
      body: loginBody,
      responses: {
        200: { description: 'A bearer token', schema: accessTokenSchema },
        400: { description: 'Invalid input' },
        401: { description: 'invalid-credentials (wrong password and unknown email alike)' },
        ...throttled,
      },
    },
    async ({ body, req }) => ({ status: 200, body: await logIn(deps, body, req.ip), headers: { 'cache-control': 'no-store' } }),
  );

  api.route(
    {
      method: 'post',
      path: '/v1/oauth/token',
      summary: 'A service token by client credentials: aud = the callee, scopes from SERVICE_GRANTS (not routed by the gateway)',
      tags: ['auth'],
      auth: 'public',
      body: serviceTokenBody,
      responses: {
        200: { description: 'A service token', schema: serviceTokenSchema },
        400: { description: 'Invalid input, or invalid-target: the client holds no scope at that audience' },
        401: { description: 'invalid-client: unknown client or wrong secret' },
      },
    },
    async ({ body }) => ({ status: 200, body: await issueServiceToken(deps, body), headers: { 'cache-control': 'no-store' } }),
  );

  api.route(
    {
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'Public signing keys (JWKS) to verify access tokens locally',
      tags: ['auth'],
      auth: 'public',
      responses: { 200: { description: 'The JSON Web Key Set', schema: jwksSchema } },
    },
    async () => ({ status: 200, body: await deps.tokens.jwks(), headers: { 'cache-control': 'public, max-age=300' } }),
  );
}
