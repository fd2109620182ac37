import { randomUUID } from 'node:crypto';
import { errors, withTransaction } from '@faultline/platform';
import type { ProductDeps } from '../deps.js';
import { productErrors } from '../errors.js';
import type { NewProduct, Product, ProductChanges } from '../schemas.js';
import { insertProduct, lockProduct, setStock, updateProduct } from '../store/products.js';

/** An admin adds a product (with a chosen id, or a fresh one). */
export async function addProduct(ctx: ProductDeps, product: NewProduct, by: string): Promise<Product> {
  const id = product.id ?? randomUUID();
  const created = await insertProduct(ctx.pool, id, product);
  if (!created) throw errors.conflict('product-exists', `a product with id ${id} already exists`);
  ctx.logger.info('product added', { productId: id, by });
  return created;
}

/** An admin changes name, description or price; reservations already held keep their price. */
export async function editProduct(ctx: ProductDeps, productId: string, changes: ProductChanges, by: string): Promise<Product> {
  const updated = await updateProduct(ctx.pool, productId, changes);
  if (!updated) throw productErrors.productNotFound(productId);
  ctx.logger.info('product edited', { productId, fields: Object.keys(changes), by });
  return updated;
}

/** An admin sets the units on hand (after a count or a delivery); it cannot drop below what is held. */
export async function setStockLevel(ctx: ProductDeps, productId: string, stock: number, by: string): Promise<Product> {
  const product = await withTransaction(ctx.pool, async (tx) => {
    const current = await lockProduct(tx, productId);
    if (!current) throw productErrors.productNotFound(productId);
    if (stock < current.held) throw productErrors.stockBelowHeld(productId, stock, current.held);
    return setStock(tx, productId, stock);
  });
  ctx.logger.info('stock level set', { productId, stock, by });
  return product;
}
