import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { gatewayUrl } from '../topology/gateway.js';

/** A logged-in customer, as the k6 script's SESSIONS_FILE holds it. */
export interface Session {
  email: string;
  token: string;
}

interface Stored {
  users: { email: string; password: string }[];
  sessions?: { at: number; list: Session[] };
}

/** Access tokens live 15 minutes; sessions older than this are made again. */
const SESSION_MAX_AGE_MS = 10 * 60_000;
const PASSWORD = 'bench-password-123';

const storePath = (cfg: LabConfig) => path.join(cfg.stateDir, 'bench', 'users.json');
export const sessionsFile = (cfg: LabConfig) => path.join(cfg.stateDir, 'bench', 'sessions.json');

/** POST JSON through the gateway; password hashing may be busy (503 with Retry-After): wait and try again. */
async function post(cfg: LabConfig, route: string, body: unknown): Promise<Response> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(`${gatewayUrl(cfg)}/api${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    if ((response.status !== 503 && response.status !== 429) || attempt === 5) return response;
    await response.arrayBuffer();
    await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000);
  }
}

async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return results;
}

/**
 * `count` logged-in customers for a benchmark, one per virtual user, written to
 * {@link sessionsFile}. Accounts are kept in the lab's state and reused; sessions are reused for
 * ten minutes: a password hash costs the user service tens of ms of CPU, which a benchmark's steps
 * must not measure.
 */
export async function benchSessions(cfg: LabConfig, count: number, onProgress: (text: string) => void): Promise<string> {
  const stored: Stored = JSON.parse(await readFile(storePath(cfg), 'utf8').catch(() => '{"users":[]}')) as Stored;
  const fresh = stored.sessions && Date.now() - stored.sessions.at < SESSION_MAX_AGE_MS && stored.sessions.list.length >= count;
  if (!fresh) {
    const missing = count - stored.users.length;
    if (missing > 0) {
      onProgress(`registering ${missing} bench customers (once; kept in ${storePath(cfg)})`);
      const tag = Date.now().toString(36);
      const added = await inBatches(
        Array.from({ length: missing }, (_, i) => `bench-${tag}-${i}@faultline.test`),
        4,
        async (email) => {
          const response = await post(cfg, '/auth/register', { email, name: 'bench customer', password: PASSWORD });
          if (response.status !== 201)
            throw new LabError(`registering a bench customer answered ${response.status}: ${(await response.text()).slice(0, 200)}`, {
              hint: 'is the lab up? npm run faultline -- status',
            });
          await response.arrayBuffer();
          return { email, password: PASSWORD };
        },
      );
      stored.users.push(...added);
    }
    onProgress(`logging in ${count} bench customers`);
    const list = await inBatches(stored.users.slice(0, count), 4, async (user) => {
      const response = await post(cfg, '/auth/login', user);
      const body = (await response.json().catch(() => ({}))) as { accessToken?: string };
      if (response.status !== 200 || !body.accessToken)
        throw new LabError(`logging in ${user.email} answered ${response.status}`, {
          hint: 'the bench accounts may be gone (a purged lab): remove .faultline/bench/users.json and run again',
        });
      return { email: user.email, token: body.accessToken };
    });
    stored.sessions = { at: Date.now(), list };
    await mkdir(path.dirname(storePath(cfg)), { recursive: true });
    await writeFile(storePath(cfg), `${JSON.stringify(stored)}\n`, { mode: 0o600 });
  }
  await writeFile(sessionsFile(cfg), JSON.stringify(stored.sessions?.list.slice(0, count) ?? []), { mode: 0o600 });
  return sessionsFile(cfg);
}
