import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LabConfig } from '../config.js';
import { LabError } from '../errors.js';
import { elapsed, run, runOk } from '../proc.js';
import type { PythonToolPin } from './pins.js';

export interface PythonToolState {
  pin: PythonToolPin;
  /** The version installed in its environment, or undefined when it is not (completely) installed. */
  installed: string | undefined;
  upToDate: boolean;
}

/** The virtual environment of a Python tool: `<toolsDir>/<name>`. */
export const venvDir = (toolsDir: string, pin: Pick<PythonToolPin, 'name'>) => path.join(toolsDir, pin.name);

/** Path of a Python tool's command, e.g. `pythonToolPath(cfg.toolsDir, pin)` → `.tools/schemathesis/bin/schemathesis`. */
export const pythonToolPath = (toolsDir: string, pin: Pick<PythonToolPin, 'name' | 'binary'>) => path.join(venvDir(toolsDir, pin), 'bin', pin.binary);

/** What is installed: the package's version as the environment's own Python reports it, and its command present. */
export async function pythonToolState(pin: PythonToolPin, { toolsDir }: Pick<LabConfig, 'toolsDir'>): Promise<PythonToolState> {
  const python = path.join(venvDir(toolsDir, pin), 'bin', 'python');
  const hasCommand = await stat(pythonToolPath(toolsDir, pin)).then(
    () => true,
    () => false,
  );
  let installed: string | undefined;
  if (hasCommand) {
    const result = await run(python, ['-c', `import importlib.metadata as m; print(m.version(${JSON.stringify(pin.package)}))`]).catch(() => undefined);
    installed = result?.code === 0 ? result.stdout.trim() : undefined;
  }
  return { pin, installed, upToDate: installed === pin.version };
}

/** Create the tool's virtual environment afresh and install the pinned version into it. */
export async function installPythonTool(pin: PythonToolPin, { toolsDir }: Pick<LabConfig, 'toolsDir'>, onProgress: (line: string) => void): Promise<void> {
  const python = await run('python3', ['--version']).catch(() => undefined);
  if (python?.code !== 0) {
    throw new LabError(`Python 3 is not installed (needed for ${pin.name})`, {
      hint: 'install python3 with its venv module (Debian: apt-get install python3-venv)',
    });
  }
  const dir = venvDir(toolsDir, pin);
  const started = Date.now();
  await rm(dir, { recursive: true, force: true });
  onProgress(`python3 -m venv ${dir}`);
  await runOk('python3', ['-m', 'venv', dir], { what: `python3 -m venv ${dir}`, hint: 'install the venv module (Debian: apt-get install python3-venv)' });
  const spec = `${pin.package}==${pin.version}`;
  onProgress(`pip install ${spec}`);
  await runOk(path.join(dir, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--progress-bar', 'off', spec], {
    onLine: (line) => {
      if (/^(Collecting|Downloading|Installing|Successfully)/.test(line.trim())) onProgress(line.trim());
    },
    what: `pip install ${spec}`,
    hint: 'check that the Python package index is reachable (pip config list)',
  });
  onProgress(`installed ${spec} in ${elapsed(started)}`);
}
