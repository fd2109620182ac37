import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { LabConfig } from '../config.js';
import { postgresUrl } from '../infra/components/postgres.js';
import { SERVICE_NAMES, SERVICES, type ServiceName } from './topology.js';

const secretsFile = (cfg: LabConfig) => path.join(cfg.stateDir, 'postgres', 'service-roles.json');

/** Passwords of the services' database roles, generated once and kept with the cluster. */
export async function servicePasswords(cfg: LabConfig): Promise<Record<ServiceName, string>> {
  let known: Partial<Record<ServiceName, string>> = {};
  try {
    known = JSON.parse(await readFile(secretsFile(cfg), 'utf8')) as typeof known;
  } catch {
    known = {};
  }
  let changed = false;
  for (const name of SERVICE_NAMES) {
    if (!known[name]) {
      known[name] = randomBytes(18).toString('base64url');
      changed = true;
    }
  }
  if (changed) {
    await mkdir(path.dirname(secretsFile(cfg)), { recursive: true });
    await writeFile(secretsFile(cfg), `${JSON.stringify(known, null, 2)}\n`, { mode: 0o600 });
  }
  return known as Record<ServiceName, string>;
}

/**
 * Give every service with a database its own role and database; only the owner may connect
 * (CONNECT is revoked from PUBLIC), so no service can read another's tables. Idempotent.
 */
export async function provisionDatabases(cfg: LabConfig, only: readonly ServiceName[] = SERVICE_NAMES): Promise<void> {
  const passwords = await servicePasswords(cfg);
  const admin = new pg.Client({ connectionString: await postgresUrl(cfg) });
  await admin.connect();
  try {
    for (const name of only.filter((n) => SERVICES[n].database)) {
      const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
      const password = admin.escapeLiteral(passwords[name]);
      await admin.query(role.rowCount ? `ALTER ROLE "${name}" WITH LOGIN PASSWORD ${password}` : `CREATE ROLE "${name}" WITH LOGIN PASSWORD ${password}`);
      const database = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (!database.rowCount) await admin.query(`CREATE DATABASE "${name}" OWNER "${name}"`);
      await admin.query(`REVOKE CONNECT, TEMPORARY ON DATABASE "${name}" FROM PUBLIC`);
      await admin.query(`GRANT CONNECT ON DATABASE "${name}" TO "${name}"`);
    }
  } finally {
    await admin.end();
  }
}
