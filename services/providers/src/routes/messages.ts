import { providerMessageRequestSchema } from '@faultline/contracts';
import type { Api, DbPool, Logger } from '@faultline/platform';
import { z } from 'zod';
import { listMessages } from '../store/messages.js';
import { sendMessage } from '../use-cases/send-message.js';

const tags = ['message sink'];

export function messageRoutes(api: Api, deps: { pool: DbPool; logger: Logger }): void {
  api.route(
    {
      method: 'post',
      path: '/v1/messages',
      auth: 'public',
      summary: 'Send an email or SMS (idempotent by reference + to + channel)',
      tags,
      body: providerMessageRequestSchema,
      responses: { 202: { description: 'accepted', schema: z.object({ messageId: z.string() }) }, 400: { description: 'invalid message' } },
    },
    async ({ body }) => {
      const { messageId, duplicate } = await sendMessage(deps, body);
      const headers: Record<string, string> = duplicate ? { 'idempotent-replayed': 'true' } : {};
      return { status: 202, body: { messageId }, headers };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/messages',
      auth: 'public',
      summary: 'Read sent messages back, newest first',
      tags,
      query: z.object({
        to: z.string().min(1).max(200).optional(),
        reference: z.string().min(1).max(100).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      responses: {
        200: {
          description: 'the messages',
          schema: z.object({ items: z.array(providerMessageRequestSchema.extend({ messageId: z.string(), createdAt: z.string() })) }),
        },
      },
    },
    async ({ query }) => ({ status: 200, body: { items: await listMessages(deps.pool, query) } }),
  );
}
