import { z } from 'zod';
import type { Api } from '../api.js';
import type { DbPool } from './pool.js';

const MAX_EPOCH_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const epochMs = z.coerce.number().int().min(0).max(MAX_EPOCH_MS);

const outboxEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  attempts: z.number().int(),
});

/**
 * `GET /v1/admin/outbox`: the events this service wrote to its transactional outbox between
 * `since` and `until` (epoch ms), oldest first, with when the relay had each confirmed (`sentAt`,
 * null while pending). The chaos runner checks with it that every event written during a fault
 * reached its consumer: a relay that marks an event sent without its confirm shows here as sent,
 * and at the consumer as never received.
 */
export function outboxAdminRoutes(api: Api, pool: DbPool): void {
  api.route(
    {
      method: 'get',
      path: '/v1/admin/outbox',
      auth: 'admin',
      tags: ['admin'],
      summary: 'Events written to the outbox in a time range (epoch ms), oldest first, with when each was confirmed by the broker',
      query: z
        .object({
          since: epochMs,
          until: epochMs.optional(),
          type: z
            .string()
            .regex(/^[a-z]+\.[a-z-]+$/, 'a routing key such as order.confirmed')
            .optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        })
        .refine((q) => q.until === undefined || q.until >= q.since, { message: 'until must not be before since', path: ['until'] }),
      responses: { 200: { description: 'the events', schema: z.object({ items: z.array(outboxEventSchema) }) } },
    },
    async ({ query }) => {
      const { rows } = await pool.query<{ id: string; routing_key: string; created_at: Date; sent_at: Date | null; attempts: number }>(
        `SELECT id, routing_key, created_at, sent_at, attempts FROM outbox
          WHERE created_at >= to_timestamp($1::float8 / 1000) AND ($2::float8 IS NULL OR created_at < to_timestamp($2::float8 / 1000))
            AND ($3::text IS NULL OR routing_key = $3)
          ORDER BY created_at, id LIMIT $4`,
        [query.since, query.until ?? null, query.type ?? null, query.limit],
      );
      const items = rows.map((r) => ({
        id: r.id,
        type: r.routing_key,
        createdAt: r.created_at.toISOString(),
        sentAt: r.sent_at?.toISOString() ?? null,
        attempts: r.attempts,
      }));
      return { status: 200, body: { items } };
    },
  );
}
