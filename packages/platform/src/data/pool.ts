import type PgTypes from 'pg';
import { pg } from '../instrumented.js';
import type { Logger } from '../logging.js';

/** The pool type, so services never import pg themselves. */
export type DbPool = PgTypes.Pool;
/** A pooled client; inside a transaction when handed out by `withTransaction` or a consumer. */
export type DbClient = PgTypes.PoolClient;

export interface PoolOptions {
  logger: Logger;
  /** Most connections held at once (default 10). */
  max?: number;
  /** Shown in `pg_stat_activity` (the service's name). */
  applicationName?: string;
  /** Give up on getting a connection after this many ms (default 5000) instead of waiting forever. */
  connectionTimeoutMs?: number;
}

/**
 * A pg connection pool. An idle client that breaks (database restarted, proxy cut) is logged
 * and dropped by the pool; it must not crash the process, which it would as an unhandled `error`.
 */
export function createPool(url: string, options: PoolOptions): PgTypes.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
  });
  pool.on('error', (error) => options.logger.error('idle database connection failed', { error }));
  return pool;
}
