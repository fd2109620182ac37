import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../../config.js';
import { LabError } from '../../errors.js';
import { run, runOk } from '../../proc.js';
import type { Component } from '../component.js';
import { spawnDaemon } from '../daemon.js';
import { handOver, serviceUser } from '../users.js';

const dir = (cfg: LabConfig) => path.join(cfg.stateDir, 'postgres');
const dataDir = (cfg: LabConfig) => path.join(dir(cfg), 'data');
const passwordFile = (cfg: LabConfig) => path.join(dir(cfg), 'superuser.password');

/** The newest PostgreSQL server binaries installed by Debian (`/usr/lib/postgresql/<major>/bin`). */
export async function postgresBinDir(): Promise<string> {
  const base = '/usr/lib/postgresql';
  const majors = (await readdir(base).catch(() => [] as string[])).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  if (!majors[0])
    throw new LabError('PostgreSQL server binaries not found under /usr/lib/postgresql', {
      component: 'postgres',
      hint: 'run "npm start" or "faultline setup" to install the postgresql package',
    });
  return path.join(base, majors[0], 'bin');
}

/** Superuser connection string of the private cluster. */
export async function postgresUrl(cfg: LabConfig, database = 'postgres'): Promise<string> {
  const password = (await readFile(passwordFile(cfg), 'utf8')).trim();
  return `postgres://postgres:${password}@127.0.0.1:${cfg.ports.postgres}/${database}`;
}

export const postgres: Component = {
  name: 'postgres',
  hint: 'read the log; a stale postmaster.pid or a full disk are the usual causes',
  logFile: (cfg) => path.join(cfg.stateDir, 'logs', 'postgres.log'),
  dataDirs: (cfg) => [dir(cfg)],
  endpoint: (cfg) => `postgres://postgres@127.0.0.1:${cfg.ports.postgres} (password in ${passwordFile(cfg)})`,

  async prepare(cfg) {
    const user = await serviceUser('postgres');
    await mkdir(dir(cfg), { recursive: true, mode: 0o700 });
    const initialised = await stat(path.join(dataDir(cfg), 'PG_VERSION')).then(
      () => true,
      () => false,
    );
    if (initialised) return;
    await writeFile(passwordFile(cfg), `${randomBytes(18).toString('base64url')}\n`, { mode: 0o600 });
    await handOver(dir(cfg), user);
    // Socket connections are trusted (only the lab's own user can reach the socket folder);
    // TCP connections, which services use, need a password.
    const args = [
      '-D',
      dataDir(cfg),
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${passwordFile(cfg)}`,
      '-E',
      'UTF8',
      '--locale=C',
    ];
    await runOk(path.join(await postgresBinDir(), 'initdb'), args, { what: 'initdb', user, env: { ...process.env, HOME: dir(cfg) } });
  },

  async start(cfg) {
    const user = await serviceUser('postgres');
    const bin = await postgresBinDir();
    const pid = await spawnDaemon({
      command: path.join(bin, 'postgres'),
      args: [
        '-D',
        dataDir(cfg),
        '-p',
        String(cfg.ports.postgres),
        '-k',
        dir(cfg),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'max_connections=300',
        // 128 MB by default, and every page a backend touches counts in the lab's memory; the
        // shop's databases are a few MB each.
        '-c',
        'shared_buffers=32MB',
        '-c',
        'log_line_prefix=%m [%p] %q%u@%d ',
      ],
      logFile: this.logFile(cfg),
      ...(user ? { user } : {}),
    });
    return { component: 'postgres', processes: [{ pid, match: 'postgres' }], startedAt: new Date().toISOString() };
  },

  async probe(cfg) {
    const bin = await postgresBinDir().catch(() => undefined);
    if (!bin) return false;
    const result = await run(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(cfg.ports.postgres), '-t', '2']);
    return result.code === 0;
  },
};
