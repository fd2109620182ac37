import type { LabConfig } from '../config.js';
import { debianPackageStates } from './debian.js';
import { toolState } from './go-tools.js';
import { GO_TOOLS, PYTHON_TOOLS } from './pins.js';
import { pythonToolState } from './python-tools.js';

export interface CheckRow {
  kind: 'debian' | 'go' | 'python';
  name: string;
  pinned: string;
  installed: string;
  ok: boolean;
}

/** Pinned versus installed for every tool the lab needs. */
export async function checkToolchain(cfg: LabConfig): Promise<CheckRow[]> {
  const packages = await debianPackageStates();
  const tools = await Promise.all(GO_TOOLS.map((pin) => toolState(pin, cfg)));
  const pythonTools = await Promise.all(PYTHON_TOOLS.map((pin) => pythonToolState(pin, cfg)));
  return [
    ...packages.map((p) => ({
      kind: 'debian' as const,
      name: p.name,
      pinned: '(distribution)',
      installed: p.version ?? 'missing',
      ok: p.version !== undefined,
    })),
    ...tools.map((t) => ({
      kind: 'go' as const,
      name: t.pin.name,
      pinned: `${t.pin.module}@${t.pinned}`,
      installed: t.installed ? `${t.installed.module}@${t.installed.version}` : 'missing',
      ok: t.upToDate,
    })),
    ...pythonTools.map((t) => ({
      kind: 'python' as const,
      name: t.pin.name,
      pinned: `${t.pin.package}==${t.pin.version}`,
      installed: t.installed ? `${t.pin.package}==${t.installed}` : 'missing',
      ok: t.upToDate,
    })),
  ];
}
