import assert from 'node:assert/strict';
import pg from 'pg';
import { postgresUrl } from '../src/index.js';
import { lab, unique } from './support.js';

describe('PostgreSQL (private cluster)', () => {
  it('creates a database and a role, and the role can query its own database', async () => {
    const name = `t_${unique()}`;
    const admin = new pg.Client({ connectionString: await postgresUrl(lab()) });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD 'secret-${name}'`);
      await admin.query(`CREATE DATABASE ${name} OWNER ${name}`);
      const owner = new pg.Client({ host: '127.0.0.1', port: lab().ports.postgres, user: name, password: `secret-${name}`, database: name });
      await owner.connect();
      try {
        await owner.query('CREATE TABLE widgets (id int PRIMARY KEY, label text NOT NULL)');
        await owner.query("INSERT INTO widgets VALUES (1, 'gear'), (2, 'spring')");
        const { rows } = await owner.query<{ label: string }>('SELECT label FROM widgets ORDER BY id');
        assert.deepEqual(
          rows.map((r) => r.label),
          ['gear', 'spring'],
        );
      } finally {
        await owner.end();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${name}`);
      await admin.end();
    }
  });

  it('refuses a TCP login with a wrong password', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: lab().ports.postgres, user: 'postgres', password: 'wrong', database: 'postgres' });
    await assert.rejects(client.connect(), /password authentication failed/);
  });
});
