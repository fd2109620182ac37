import { LabError } from '../errors.js';
import { run, runOk } from '../proc.js';
import { DEBIAN_PACKAGES } from './pins.js';

export interface PackageState {
  name: string;
  provides: string;
  /** Installed version, or undefined when missing. */
  version: string | undefined;
}

/** What dpkg says about each package the lab needs. */
export async function debianPackageStates(): Promise<PackageState[]> {
  const hasDpkg = (await run('sh', ['-c', 'command -v dpkg-query'])).code === 0;
  return Promise.all(
    DEBIAN_PACKAGES.map(async ({ name, provides }) => {
      if (!hasDpkg) return { name, provides, version: undefined };
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
      const { code, stdout } = await run('dpkg-query', ['-W', '-f=${db:Status-Status} ${Version}', name]);
      const [status, version] = stdout.trim().split(' ');
      return { name, provides, version: code === 0 && status === 'installed' ? version : undefined };
    }),
  );
}

/**
 * Install the missing Debian packages with apt (as root), streaming apt's lines to `onLine`.
 * Not root, or no apt: a {@link LabError} that says exactly what to install.
 */
export async function installDebianPackages(missing: readonly string[], onLine: (line: string) => void): Promise<void> {
  if (missing.length === 0) return;
  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  const hasApt = (await run('sh', ['-c', 'command -v apt-get'])).code === 0;
  if (!isRoot || !hasApt) {
    throw new LabError(`missing Debian packages: ${missing.join(', ')}`, {
      hint: hasApt
        ? `run: sudo apt-get update && sudo ${command}   (then run this command again)`
        : `install ${missing.join(', ')} with your system's package manager (the lab expects Debian or Ubuntu)`,
    });
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  onLine('apt-get update');
  await runOk('apt-get', ['update', '-q'], { env, onLine, what: 'apt-get update' });
  onLine(command);
  // The packages' own init scripts would start the system-wide servers; the lab runs private
  // instances on its own ports, so those are left to the machine's policy.
  await runOk('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
    env,
    onLine,
    what: 'apt-get install',
    hint: `run "${command}" yourself to see the full error`,
  });
}
