import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../config.js';

/** The lab's admin account (seeded into the user service), generated once. */
export async function adminCredentials(cfg: LabConfig): Promise<{ email: string; password: string }> {
  const file = path.join(cfg.stateDir, 'admin.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as { email: string; password: string };
  } catch {
    const credentials = { email: 'admin@faultline.test', password: randomBytes(15).toString('base64url') };
    await mkdir(cfg.stateDir, { recursive: true });
    await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    return credentials;
  }
}
