import { chown, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { LabError } from '../errors.js';
import { run } from '../proc.js';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * The unprivileged account a server runs as. As root that is the account its Debian package
 * created (PostgreSQL refuses to run as root); otherwise the current user.
 */
export async function serviceUser(name: string): Promise<SystemUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  if (uid.code !== 0) {
    throw new LabError(`the system user "${name}" does not exist`, {
      hint: 'run "npm start" (or "faultline setup") to install the Debian packages that create it',
    });
  }
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Give a folder tree to `user` and check that the user can reach it through every ancestor. */
export async function handOver(dir: string, user: SystemUser | undefined): Promise<void> {
  if (!user) return;
  for (let at = path.dirname(dir); at !== path.dirname(at); at = path.dirname(at)) {
    const info = await stat(at);
    const searchable = info.uid === user.uid || (info.mode & 0o001) !== 0 || (info.gid === user.gid && (info.mode & 0o010) !== 0);
    if (!searchable) {
      throw new LabError(`${user.name} cannot reach ${dir}: ${at} is not searchable by other users`, {
        hint: `run "chmod o+x ${at}", or point FAULTLINE_STATE_DIR at a folder outside it (e.g. /var/tmp/faultline)`,
      });
    }
  }
  const walk = async (p: string): Promise<void> => {
    await chown(p, user.uid, user.gid);
    if ((await stat(p)).isDirectory()) for (const entry of await readdir(p)) await walk(path.join(p, entry));
  };
  await walk(dir);
}
