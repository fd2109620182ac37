import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { AppError } from '../errors.js';
import type { Logger } from '../logging.js';
import { outboxCreatedIndexMigration, outboxMigration } from './outbox.js';
import { processedMessagesMigration } from './processed-messages.js';

/** One schema change: a unique name and the SQL run in its own transaction. */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export interface MigrateOptions {
  logger: Logger;
  /** A folder of `NNN_name.sql` files, applied in numeric order. */
  folder?: string | URL;
  /** Migrations applied before the folder's, e.g. {@link platformMigrations}. */
  migrations?: readonly Migration[];
}

const FILE = /^(\d{3,})_[a-z0-9_]+\.sql$/;
// Any constant works; it only has to be the same for every instance of every service version.
const LOCK_KEY = 7_316_434_221;

/** The platform's own tables: `outbox` (with its NOTIFY trigger) and `processed_messages`. */
export function platformMigrations(): Migration[] {
  return [outboxMigration, processedMessagesMigration, outboxCreatedIndexMigration];
}

/** Read the `NNN_name.sql` files of `folder`, ordered by number; other `.sql` names are an error. */
export async function loadMigrations(folder: string | URL): Promise<Migration[]> {
  const dir = folder instanceof URL ? fileURLToPath(folder) : folder;
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql'));
  const bad = files.find((file) => !FILE.test(file));
  if (bad) throw new AppError('migration-invalid-name', 500, 'Migration file name is invalid', { detail: `${bad} does not match NNN_name.sql (lower case)` });
  const numbered = files.map((file) => ({ file, number: Number(FILE.exec(file)?.[1]) })).sort((a, b) => a.number - b.number);
  for (let i = 1; i < numbered.length; i += 1) {
    if (numbered[i]?.number === numbered[i - 1]?.number)
      throw new AppError('migration-duplicate-number', 500, 'Two migrations share a number', { detail: `${numbered[i - 1]?.file} and ${numbered[i]?.file}` });
  }
  return Promise.all(numbered.map(async ({ file }) => ({ name: file, sql: await readFile(path.join(dir, file), 'utf8') })));
}

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

/**
 * Apply pending migrations, each in its own transaction together with its `schema_migrations`
 * row. A session advisory lock makes concurrent runners (two instances booting) take turns:
 * the second finds everything applied. An applied migration whose SQL has changed stops the
 * run before anything is applied. Files must not manage transactions themselves (no
 * `BEGIN`/`COMMIT`, no `CREATE INDEX CONCURRENTLY`). Returns the names applied by this call.
 */
export async function runMigrations(pool: pg.Pool, options: MigrateOptions): Promise<string[]> {
  const { logger } = options;
  const all = [...(options.migrations ?? []), ...(options.folder ? await loadMigrations(options.folder) : [])];
  const names = new Set(all.map((m) => m.name));
  if (names.size !== all.length) throw new AppError('migration-duplicate-name', 500, 'Two migrations share a name');
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
      const applied = new Map(rows.map((row) => [row.name, row.checksum]));
      for (const migration of all) {
        const recorded = applied.get(migration.name);
        const actual = checksum(migration.sql);
        if (recorded !== undefined && recorded !== actual)
          throw new AppError('migration-checksum-mismatch', 500, 'An applied migration was changed', {
            detail: `${migration.name} was applied with checksum ${recorded.slice(0, 12)}… but now has ${actual.slice(0, 12)}…; add a new migration instead of editing an applied one`,
            extensions: { migration: migration.name },
          });
      }
      const done: string[] = [];
      for (const migration of all.filter((m) => !applied.has(m.name))) {
        try {
          await client.query('BEGIN');
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [migration.name, checksum(migration.sql)]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw new AppError('migration-failed', 500, 'A migration failed', {
            detail: `${migration.name}: ${(error as Error).message}`,
            extensions: { migration: migration.name },
            cause: error,
          });
        }
        logger.info('migration applied', { migration: migration.name });
        done.push(migration.name);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    client.release(broken);
  }
}
