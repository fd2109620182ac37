import { type Api, callerOf } from '@faultline/platform';
import type { ProductDeps } from '../deps.js';
import { catalogQuerySchema, idParams, newProductSchema, productChangesSchema, productPageSchema, productSchema, stockLevelSchema } from '../schemas.js';
import { browseCatalog, viewProduct } from '../use-cases/browse-catalog.js';
import { addProduct, editProduct, setStockLevel } from '../use-cases/edit-catalog.js';

/** The catalog: reading is public, editing needs the admin role. */
export function productRoutes(api: Api, ctx: ProductDeps): void {
  const tags = ['catalog'];
  const problems = { 400: { description: 'invalid input, naming the field' } };
  const adminProblems = { ...problems, 401: { description: 'no valid token' }, 403: { description: 'not an admin' } };

  api.route(
    {
      method: 'get',
      path: '/v1/products',
      summary: 'List the catalog, optionally searching name and description (q), one page at a time',
      tags,
      auth: 'public',
      query: catalogQuerySchema,
      responses: { 200: { description: 'a page of products', schema: productPageSchema }, ...problems },
    },
    async ({ query }) => ({ status: 200, body: await browseCatalog(ctx, query) }),
  );

  api.route(
    {
      method: 'get',
      path: '/v1/products/:id',
      summary: 'One product with its price and available stock',
      tags,
      auth: 'public',
      params: idParams,
      responses: { 200: { description: 'the product', schema: productSchema }, 404: { description: 'product-not-found' }, ...problems },
    },
    async ({ params }) => ({ status: 200, body: await viewProduct(ctx, params.id) }),
  );

  api.route(
    {
      method: 'post',
      path: '/v1/products',
      summary: 'Add a product (admin)',
      tags,
      auth: 'admin',
      body: newProductSchema,
      responses: { 201: { description: 'added', schema: productSchema }, 409: { description: 'product-exists' }, ...adminProblems },
    },
    async ({ body, req }) => {
      const product = await addProduct(ctx, body, callerOf(req).userId);
      return { status: 201, body: product, headers: { location: `/v1/products/${product.id}` } };
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/v1/products/:id',
      summary: 'Change name, description or price (admin)',
      tags,
      auth: 'admin',
      params: idParams,
      body: productChangesSchema,
      responses: { 200: { description: 'changed', schema: productSchema }, 404: { description: 'product-not-found' }, ...adminProblems },
    },
    async ({ params, body, req }) => ({ status: 200, body: await editProduct(ctx, params.id, body, callerOf(req).userId) }),
  );

  api.route(
    {
      method: 'put',
      path: '/v1/products/:id/stock',
      summary: 'Set the units on hand (admin); never below what reservations hold',
      tags,
      auth: 'admin',
      params: idParams,
      body: stockLevelSchema,
      responses: {
        200: { description: 'set', schema: productSchema },
        404: { description: 'product-not-found' },
        409: { description: 'stock-below-held' },
        ...adminProblems,
      },
    },
    async ({ params, body, req }) => ({ status: 200, body: await setStockLevel(ctx, params.id, body.stock, callerOf(req).userId) }),
  );
}
