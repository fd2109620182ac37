import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresUrl } from '@faultline/lab';
import pg from 'pg';
import { eventually, lab } from '../../lab/test/support.js';
import { loadMigrations, platformMigrations, runMigrations } from '../src/data/migrations.js';
import { createPool } from '../src/data/pool.js';
import { withTransaction } from '../src/data/transaction.js';
import { isAppError } from '../src/errors.js';
import { captureLogger, createTestDatabase } from './data-support.js';

describe('data: pool and migrations', () => {
  const { logger, lines } = captureLogger('data-test');
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let folder: string;

  beforeEach(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { logger, max: 4, applicationName: `data-test-${db.name}` });
    folder = await mkdtemp(path.join(tmpdir(), 'faultline-migrations-'));
  });

  afterEach(async () => {
    await pool.end();
    await db.drop();
    await rm(folder, { recursive: true, force: true });
  });

  const files = async (entries: Record<string, string>) => {
    for (const [name, sql] of Object.entries(entries)) await writeFile(path.join(folder, name), sql);
  };

  it('applies NNN_name.sql files in numeric order, once, each recorded with its checksum', async () => {
    await files({
      '010_add_price.sql': 'ALTER TABLE widgets ADD COLUMN price int NOT NULL DEFAULT 0;',
      '002_create_widgets.sql': 'CREATE TABLE widgets (id int PRIMARY KEY);',
      'README.md': 'not a migration',
    });
    assert.deepEqual(await runMigrations(pool, { logger, folder }), ['002_create_widgets.sql', '010_add_price.sql']);
    assert.deepEqual(await runMigrations(pool, { logger, folder }), [], 'a second run applies nothing');
    const { rows } = await pool.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
    assert.deepEqual(
      rows.map((r) => r.name),
      ['002_create_widgets.sql', '010_add_price.sql'],
    );
    assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum)));
    await pool.query('INSERT INTO widgets (id, price) VALUES (1, 5)');
  });

  it('refuses to run when an applied file has changed, naming the file, and applies nothing new', async () => {
    await files({ '001_create_widgets.sql': 'CREATE TABLE widgets (id int PRIMARY KEY);' });
    await runMigrations(pool, { logger, folder });
    await files({ '001_create_widgets.sql': 'CREATE TABLE widgets (id bigint PRIMARY KEY);', '002_create_gears.sql': 'CREATE TABLE gears (id int);' });
    await assert.rejects(runMigrations(pool, { logger, folder }), (error: unknown) => {
      assert.ok(isAppError(error));
      assert.equal(error.errorName, 'migration-checksum-mismatch');
      assert.match(String(error.detail), /001_create_widgets\.sql/);
      return true;
    });
    const gears = await pool.query("SELECT to_regclass('gears') AS gears");
    assert.equal(gears.rows[0].gears, null);
  });

  it('two runners started together apply each migration exactly once', async () => {
    // A slow first file keeps the first runner inside the lock while the second one arrives.
    await files({
      '001_create_log.sql': 'CREATE TABLE applied_log (file text NOT NULL); SELECT pg_sleep(0.3);',
      '002_log_second.sql': "INSERT INTO applied_log VALUES ('002');",
      '003_log_third.sql': "INSERT INTO applied_log VALUES ('003');",
    });
    const other = createPool(db.url, { logger, max: 2 });
    try {
      const [a, b] = await Promise.all([runMigrations(pool, { logger, folder }), runMigrations(other, { logger, folder })]);
      assert.deepEqual([...a, ...b].sort(), ['001_create_log.sql', '002_log_second.sql', '003_log_third.sql']);
      assert.ok(a.length === 0 || b.length === 0, 'one runner did everything, the other found it done');
    } finally {
      await other.end();
    }
    const { rows } = await pool.query<{ file: string }>('SELECT file FROM applied_log ORDER BY file');
    assert.deepEqual(
      rows.map((r) => r.file),
      ['002', '003'],
    );
  });

  it('a failing migration rolls back alone, names the file, and keeps the ones before it', async () => {
    await files({
      '001_create_widgets.sql': 'CREATE TABLE widgets (id int PRIMARY KEY);',
      '002_broken.sql': 'CREATE TABLE gears (id int); SELECT * FROM no_such_table;',
    });
    await assert.rejects(
      runMigrations(pool, { logger, folder }),
      (error: unknown) => isAppError(error) && error.errorName === 'migration-failed' && /002_broken\.sql/.test(String(error.detail)),
    );
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM schema_migrations');
    assert.deepEqual(
      rows.map((r) => r.name),
      ['001_create_widgets.sql'],
    );
    assert.equal((await pool.query("SELECT to_regclass('gears') AS t")).rows[0].t, null);
  });

  it('rejects a .sql file that does not follow NNN_name.sql', async () => {
    await files({ 'create-widgets.sql': 'SELECT 1;' });
    await assert.rejects(loadMigrations(folder), /Migration file name is invalid/);
  });

  it('provides the platform tables (outbox, processed_messages) as migrations applied before the service’s own', async () => {
    await files({ '001_create_widgets.sql': 'CREATE TABLE widgets (id int PRIMARY KEY);' });
    const applied = await runMigrations(pool, { logger, folder, migrations: platformMigrations() });
    assert.deepEqual(applied, ['platform_001_outbox', 'platform_002_processed_messages', 'platform_003_outbox_created_idx', '001_create_widgets.sql']);
    await pool.query('SELECT id, routing_key, envelope, headers, created_at, sent_at FROM outbox WHERE sent_at IS NULL');
    await pool.query('SELECT consumer, message_id FROM processed_messages');
  });

  it('withTransaction commits on success and rolls back when the work throws', async () => {
    await pool.query('CREATE TABLE widgets (id int PRIMARY KEY)');
    await withTransaction(pool, (tx) => tx.query('INSERT INTO widgets VALUES (1)'));
    await assert.rejects(
      withTransaction(pool, async (tx) => {
        await tx.query('INSERT INTO widgets VALUES (2)');
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.deepEqual((await pool.query('SELECT id FROM widgets')).rows, [{ id: 1 }]);
  });

  it('logs an idle pooled connection that dies instead of crashing, and keeps serving queries', async () => {
    await pool.query('SELECT 1');
    const admin = new pg.Client({ connectionString: await postgresUrl(lab()) });
    await admin.connect();
    try {
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`data-test-${db.name}`]);
      assert.ok((killed.rowCount ?? 0) >= 1);
    } finally {
      await admin.end();
    }
    await eventually('the error logged', async () => lines.find((l) => l.message === 'idle database connection failed'), 5000, 25);
    assert.deepEqual((await pool.query('SELECT 1 AS ok')).rows, [{ ok: 1 }]);
  });
});
