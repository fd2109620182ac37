import { Api, callerOf, errors, type RuntimeOptions, type TokenVerifier } from '@faultline/platform';
import { z } from 'zod';
import type { NotificationConfig } from '../config.js';
import type { Deps } from '../deps.js';
import { listHistory } from '../use-cases/list-history.js';

type App = Parameters<RuntimeOptions<NotificationConfig>['routes']>[0];

const notificationSchema = z
  .object({
    id: z.uuid(),
    userId: z.string(),
    eventId: z.string(),
    template: z.string(),
    channel: z.enum(['email', 'sms']),
    to: z.string(),
    subject: z.string().nullable(),
    body: z.string(),
    status: z.enum(['sent', 'failed']),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    sentAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Notification' });

const pageSchema = z.object({
  userId: z.string(),
  items: z.array(notificationSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** GET /v1/notifications (own or, for admins, anyone's history) and GET /v1/notifications/dead-letters. */
export function notificationRoutes(app: App, deps: Deps, auth: TokenVerifier): void {
  const api = new Api(app, { title: 'notification', version: '1.0.0', description: 'Messages sent to users from domain events, and their history.' }, auth);

  api.route(
    {
      method: 'get',
      path: '/v1/notifications/dead-letters',
      summary: 'How many events wait in the dead-letter queue (admin)',
      tags: ['notifications'],
      auth: 'admin',
      responses: {
        200: { description: 'the queue and its depth', schema: z.object({ queue: z.string(), messages: z.number().int() }) },
        401: { description: 'no valid token' },
        403: { description: 'not an admin' },
        503: { description: 'the broker cannot be asked right now' },
      },
    },
    async () => {
      const messages = await deps.deadLetters.depth();
      if (messages === undefined) throw errors.unavailable('the broker cannot be asked right now', 5);
      return { status: 200, body: { queue: deps.deadLetters.queue, messages } };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/notifications',
      summary: "The caller's notifications, newest first (admins: any user's, with userId)",
      tags: ['notifications'],
      auth: 'user',
      query: z.object({
        userId: z.string().min(1).max(100).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(20),
        offset: z.coerce.number().int().min(0).max(100_000).default(0),
      }),
      responses: {
        200: { description: 'a page of history', schema: pageSchema },
        400: { description: 'invalid paging' },
        401: { description: 'no valid token' },
        403: { description: "another user's history without the admin role" },
      },
    },
    async ({ query, req }) => {
      return { status: 200, body: await listHistory(deps, callerOf(req), query) };
    },
  );
}
