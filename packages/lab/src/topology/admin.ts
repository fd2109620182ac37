import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SERVICE_CLIENTS, type ServiceClient } from '@faultline/contracts';
import type { LabConfig } from '../config.js';

/**
 * Write a secrets file whole or not at all (a temporary file, then a link or rename: a reader never
 * sees half of one). `create` only makes a file that does not exist yet and answers false when
 * another process made it first — its secrets win, since services may already hold them.
 */
async function writeSecrets(cfg: LabConfig, file: string, value: unknown, mode: 'create' | 'replace'): Promise<boolean> {
  await mkdir(cfg.stateDir, { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  try {
    if (mode === 'replace') await rename(temporary, file);
    else await link(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

const readJson = async <T>(file: string): Promise<T | undefined> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** The lab's admin account (seeded into the user service), generated once. */
export async function adminCredentials(cfg: LabConfig): Promise<{ email: string; password: string }> {
  const file = path.join(cfg.stateDir, 'admin.json');
  const known = await readJson<{ email: string; password: string }>(file);
  if (known) return known;
  const credentials = { email: 'admin@faultline.test', password: randomBytes(15).toString('base64url') };
  if (await writeSecrets(cfg, file, credentials, 'create')) return credentials;
  return adminCredentials(cfg); // another process made it first: use its
}

let credentialsInFlight: Promise<unknown> = Promise.resolve();

/**
 * The services' client credentials (client → secret), generated once per lab and kept in its
 * state directory: the user service gets them all (`SERVICE_CLIENTS`), each client its own
 * (`SERVICE_CLIENT_SECRET`); `lab` is the CLI's own client. Calls run one at a time: the services
 * start in parallel, and on a fresh lab each used to generate (and write) its own set, so the user
 * service knew other secrets than its clients and refused every service token (401 invalid-client).
 */
export function serviceCredentials(cfg: LabConfig): Promise<Record<ServiceClient, string>> {
  const next = credentialsInFlight.then(() => readOrCreateCredentials(cfg));
  credentialsInFlight = next.catch(() => undefined);
  return next;
}

async function readOrCreateCredentials(cfg: LabConfig): Promise<Record<ServiceClient, string>> {
  const file = path.join(cfg.stateDir, 'service-clients.json');
  const existing = await readJson<Partial<Record<ServiceClient, string>>>(file);
  const known = { ...existing };
  const missing = SERVICE_CLIENTS.filter((client) => !known[client]);
  for (const client of missing) known[client] = randomBytes(24).toString('base64url');
  // Clients added to an existing lab are written over it; a fresh lab's set never replaces another process's.
  if (missing.length > 0 && !(await writeSecrets(cfg, file, known, existing ? 'replace' : 'create'))) return readOrCreateCredentials(cfg);
  return known as Record<ServiceClient, string>;
}

/** The compose variable carrying a client's secret (the user service gets them all, the client its own). */
export const clientSecretVariable = (client: string) => `FAULTLINE_CLIENT_SECRET_${client.toUpperCase()}`;
export const ADMIN_PASSWORD_VARIABLE = 'FAULTLINE_ADMIN_PASSWORD';

/**
 * The lab's secrets — the admin's password and every client's secret, generated once in the state
 * directory — as the compose stack's variables: the stack runs with the native lab's secrets, so
 * the CLI's admin login and service tokens work against either.
 */
export async function labSecretsEnv(cfg: LabConfig): Promise<Record<string, string>> {
  const clients = await serviceCredentials(cfg);
  return {
    [ADMIN_PASSWORD_VARIABLE]: (await adminCredentials(cfg)).password,
    ...Object.fromEntries(Object.entries(clients).map(([client, secret]) => [clientSecretVariable(client), secret])),
  };
}

/** A service token for the lab's own client (`lab`), for `audience`: what the CLI shows an internal route. */
export function labServiceToken(cfg: LabConfig, audience: string): Promise<string> {
  return serviceTokenFor(cfg, 'lab', audience);
}

/** A service token of `client`, for `audience`, from the lab's user service (client credentials). */
export async function serviceTokenFor(cfg: LabConfig, client: ServiceClient, audience: string): Promise<string> {
  const secret = (await serviceCredentials(cfg))[client];
  const response = await fetch(`http://127.0.0.1:${cfg.ports.user}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: client, client_secret: secret, audience }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`the user service refused ${client}'s service token for ${audience} (${response.status}): is the lab up?`);
  return ((await response.json()) as { access_token: string }).access_token;
}
