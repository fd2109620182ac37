import type { DbClient, DbPool } from '@faultline/platform';
import type { CatalogQuery, NewProduct, Product, ProductChanges } from '../schemas.js';

type Db = DbPool | DbClient;

interface ProductRow {
  id: string;
  name: string;
  description: string;
  price: number;
  stock: number;
  held: number;
  updated_at: Date;
}

const COLUMNS = 'id, name, description, price, stock, held, updated_at';

const toProduct = (row: ProductRow): Product => ({
  id: row.id,
  name: row.name,
  description: row.description,
  price: row.price,
  currency: 'EUR',
  stock: row.stock,
  available: row.stock - row.held,
  updatedAt: row.updated_at.toISOString(),
});

/** `%`, `_` and `\` in a search term match themselves, not any character. */
const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function findProducts(db: Db, query: CatalogQuery): Promise<{ items: Product[]; total: number }> {
  const where = query.q ? 'WHERE name ILIKE $1 OR description ILIKE $1' : '';
  const filter = query.q ? [likePattern(query.q)] : [];
  const n = filter.length;
  const [page, count] = await Promise.all([
    db.query<ProductRow>(`SELECT ${COLUMNS} FROM products ${where} ORDER BY name, id LIMIT $${n + 1} OFFSET $${n + 2}`, [...filter, query.limit, query.offset]),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM products ${where}`, filter),
  ]);
  return { items: page.rows.map(toProduct), total: count.rows[0]?.total ?? 0 };
}

export async function findProduct(db: Db, id: string): Promise<Product | undefined> {
  const { rows } = await db.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = $1`, [id]);
  return rows[0] && toProduct(rows[0]);
}

/** Inserts the product; undefined when its id is taken. */
export async function insertProduct(db: Db, id: string, product: NewProduct): Promise<Product | undefined> {
  const { rows } = await db.query<ProductRow>(
    `INSERT INTO products (id, name, description, price, stock) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
    [id, product.name, product.description, product.price, product.stock],
  );
  return rows[0] && toProduct(rows[0]);
}

export async function updateProduct(db: Db, id: string, changes: ProductChanges): Promise<Product | undefined> {
  const { rows } = await db.query<ProductRow>(
    `UPDATE products SET name = coalesce($2, name), description = coalesce($3, description), price = coalesce($4, price), updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, changes.name ?? null, changes.description ?? null, changes.price ?? null],
  );
  return rows[0] && toProduct(rows[0]);
}

/** Locks the product row (inside a transaction) and reads its stock and holds. */
export async function lockProduct(tx: DbClient, id: string): Promise<{ stock: number; held: number } | undefined> {
  const { rows } = await tx.query<{ stock: number; held: number }>('SELECT stock, held FROM products WHERE id = $1 FOR UPDATE', [id]);
  return rows[0];
}

export async function setStock(tx: DbClient, id: string, stock: number): Promise<Product> {
  const { rows } = await tx.query<ProductRow>(`UPDATE products SET stock = $2, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, [id, stock]);
  return toProduct(rows[0] as ProductRow);
}
