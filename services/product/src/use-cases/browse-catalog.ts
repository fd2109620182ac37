import type { ProductDeps } from '../deps.js';
import { productErrors } from '../errors.js';
import type { CatalogQuery, Product, ProductPage } from '../schemas.js';
import { findProduct, findProducts } from '../store/products.js';

/** A page of the catalog, optionally narrowed by a search term on name and description. */
export async function browseCatalog(ctx: ProductDeps, query: CatalogQuery): Promise<ProductPage> {
  const { items, total } = await findProducts(ctx.pool, query);
  return { items, total, limit: query.limit, offset: query.offset };
}

export async function viewProduct(ctx: ProductDeps, productId: string): Promise<Product> {
  const product = await findProduct(ctx.pool, productId);
  if (!product) throw productErrors.productNotFound(productId);
  return product;
}
