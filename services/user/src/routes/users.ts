import { type Api, callerOf } from '@faultline/platform';
import type { UserDeps } from '../deps.js';
import { browseUsers, getUser, setUserRoles } from '../use-cases/manage-users.js';
import { getOwnProfile, renameSelf } from '../use-cases/profile.js';
import { pageQuery, profileBody, rolesBody, toUserView, userIdParams, userPageSchema, userSchema } from './schemas.js';

const unauthenticated = { 401: { description: 'unauthorized: no or invalid bearer token' } };
const adminOnly = { ...unauthenticated, 403: { description: 'forbidden: the admin role is required' } };

/** Routes under `/v1/users` (the gateway's `/api/users`): the caller's own profile and admin tools. */
export function userRoutes(api: Api, deps: UserDeps): void {
  api.route(
    {
      method: 'get',
      path: '/v1/users/me',
      summary: 'My profile',
      tags: ['users'],
      auth: 'user',
      responses: { 200: { description: 'The profile', schema: userSchema }, ...unauthenticated, 404: { description: 'user-not-found' } },
    },
    async ({ req }) => ({ status: 200, body: toUserView(await getOwnProfile(deps, callerOf(req).userId)) }),
  );

  api.route(
    {
      method: 'patch',
      path: '/v1/users/me',
      summary: 'Change my name',
      tags: ['users'],
      auth: 'user',
      body: profileBody,
      responses: { 200: { description: 'The updated profile', schema: userSchema }, 400: { description: 'Invalid input' }, ...unauthenticated },
    },
    async ({ req, body }) => ({ status: 200, body: toUserView(await renameSelf(deps, callerOf(req).userId, body.name)) }),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/users',
      summary: 'List users, oldest first (admin)',
      tags: ['users'],
      auth: 'admin',
      query: pageQuery,
      responses: { 200: { description: 'One page', schema: userPageSchema }, 400: { description: 'Invalid paging' }, ...adminOnly },
    },
    async ({ query }) => {
      const page = await browseUsers(deps, query);
      return { status: 200, body: { items: page.items.map(toUserView), total: page.total, limit: query.limit, offset: query.offset } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/users/:id',
      summary: 'One user (admin)',
      tags: ['users'],
      auth: 'admin',
      params: userIdParams,
      responses: {
        200: { description: 'The user', schema: userSchema },
        400: { description: 'Invalid id' },
        ...adminOnly,
        404: { description: 'user-not-found' },
      },
    },
    async ({ params }) => ({ status: 200, body: toUserView(await getUser(deps, params.id)) }),
  );

  api.route(
    {
      method: 'put',
      path: '/v1/users/:id/roles',
      summary: "Replace a user's roles (admin); effective in tokens issued afterwards",
      tags: ['users'],
      auth: 'admin',
      params: userIdParams,
      body: rolesBody,
      responses: {
        200: { description: 'The user with the new roles', schema: userSchema },
        400: { description: 'Invalid input' },
        ...adminOnly,
        404: { description: 'user-not-found' },
        409: { description: 'admin-self-demotion' },
      },
    },
    async ({ req, params, body }) => ({ status: 200, body: toUserView(await setUserRoles(deps, callerOf(req).userId, params.id, body.roles)) }),
  );
}
