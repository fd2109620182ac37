import type pg from 'pg';

/**
 * Run `work` in one transaction on a pooled client: COMMIT when it resolves, ROLLBACK when it
 * throws (and rethrow). A client whose ROLLBACK fails is discarded, not returned to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
