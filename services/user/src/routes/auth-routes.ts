import type { Api } from '@faultline/platform';
import type { UserDeps } from '../use-cases/deps.js';
import { logIn } from '../use-cases/log-in.js';
import { registerUser } from '../use-cases/register-user.js';
import { accessTokenSchema, jwksSchema, loginBody, registerBody, toUserView, userSchema } from './schemas.js';

/** Public routes under `/v1/auth` (the gateway's `/api/auth`). */
export function mountAuthRoutes(api: Api, deps: UserDeps): void {
  api.route(
    {
      method: 'post',
      path: '/v1/auth/register',
      summary: 'Register an account (role customer); publishes user.registered',
      tags: ['auth'],
      body: registerBody,
      responses: {
        201: { description: 'Registered', schema: userSchema },
        400: { description: 'Invalid input (validation-failed names the field)' },
        409: { description: 'email-taken' },
      },
    },
    async ({ body }) => {
      const user = await registerUser(deps, body);
      return { status: 201, body: toUserView(user), headers: { location: `/v1/users/${user.id}` } };
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/auth/login',
      summary: 'Log in with email and password; returns an RS256 access token (15 min)',
      tags: ['auth'],
      body: loginBody,
      responses: {
        200: { description: 'A bearer token', schema: accessTokenSchema },
        400: { description: 'Invalid input' },
        401: { description: 'invalid-credentials (wrong password and unknown email alike)' },
      },
    },
    async ({ body }) => ({ status: 200, body: await logIn(deps, body), headers: { 'cache-control': 'no-store' } }),
  );

  api.route(
    {
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'Public signing keys (JWKS) to verify access tokens locally',
      tags: ['auth'],
      responses: { 200: { description: 'The JSON Web Key Set', schema: jwksSchema } },
    },
    async () => ({ status: 200, body: await deps.tokens.jwks(), headers: { 'cache-control': 'public, max-age=300' } }),
  );
}
