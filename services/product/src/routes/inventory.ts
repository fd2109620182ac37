import type { Api } from '@faultline/platform';
import type { ProductDeps } from '../deps.js';
import { auditQuerySchema, auditSchema } from '../schemas.js';
import { auditInventory } from '../use-cases/audit-inventory.js';

/** The inventory audit (admin): the invariants a chaos experiment checks after its run. */
export function inventoryRoutes(api: Api, ctx: ProductDeps): void {
  api.route(
    {
      method: 'get',
      path: '/v1/inventory/audit',
      summary: 'Per product: stock, held and committed units, and any inconsistency (negative available, held mismatch, leaked holds)',
      tags: ['inventory'],
      auth: 'admin',
      query: auditQuerySchema,
      responses: { 200: { description: 'the audit', schema: auditSchema }, 401: { description: 'no valid token' }, 403: { description: 'not an admin' } },
    },
    async ({ query }) => ({ status: 200, body: await auditInventory(ctx, query.leakedAfterSec) }),
  );
}
