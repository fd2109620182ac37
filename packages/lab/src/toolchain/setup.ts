import { Listr } from 'listr2';
import type { LabConfig } from '../config.js';
import { imagesSetupTask } from '../images/setup-task.js';
import { elapsed } from '../proc.js';
import { debianPackageStates, installDebianPackages } from './debian.js';
import { buildTool, toolState } from './go-tools.js';
import { GO_TOOLS, PYTHON_TOOLS } from './pins.js';
import { installPythonTool, pythonToolState, venvDir } from './python-tools.js';

export interface SetupSummary {
  installedPackages: string[];
  builtTools: string[];
  installedPythonTools: string[];
  upToDate: string[];
}

/**
 * Install what is missing: Debian packages, the pinned Go tools, the pinned Python tools (the
 * tests' schemathesis), then the Docker images where an engine can run. `nativeLabOnly` installs
 * only what the native lab runs on (`npm start`): no Python tools, no images. Idempotent.
 */
export async function setup(cfg: LabConfig, options: { nativeLabOnly?: boolean } = {}): Promise<SetupSummary> {
  const summary: SetupSummary = { installedPackages: [], builtTools: [], installedPythonTools: [], upToDate: [] };
  const tasks = new Listr(
    [
      {
        title: 'Debian packages',
        task: async (_ctx, task) => {
          const states = await debianPackageStates();
          const missing = states.filter((s) => !s.version).map((s) => s.name);
          summary.upToDate.push(...states.filter((s) => s.version).map((s) => s.name));
          if (missing.length === 0) {
            task.title = `Debian packages: ${states.length} installed`;
            return;
          }
          task.title = `Debian packages: installing ${missing.join(', ')}`;
          let last = 0;
          await installDebianPackages(missing, (line) => {
            // apt is chatty; show its progress lines at most twice a second.
            if (Date.now() - last > 500 || /^(Setting up|Get:|Unpacking)/.test(line)) {
              task.output = line;
              last = Date.now();
            }
          });
          summary.installedPackages.push(...missing);
          task.title = `Debian packages: installed ${missing.join(', ')}`;
        },
        rendererOptions: { bottomBar: 3 },
      },
      ...GO_TOOLS.map((pin) => ({
        title: pin.name,
        task: async (_ctx: unknown, task: { title: string; output: string }) => {
          const state = await toolState(pin, cfg);
          const name = `${pin.name} ${state.pinned}`;
          if (state.upToDate) {
            summary.upToDate.push(pin.name);
            task.title = `${name}: up to date`;
            return;
          }
          const from = state.installed ? ` (replacing ${state.installed.version})` : '';
          task.title = `${name}: building from ${pin.method === 'local' ? pin.dir : pin.module}${from}`;
          const started = Date.now();
          await buildTool(pin, cfg, (line) => {
            task.output = line;
          });
          summary.builtTools.push(pin.name);
          task.title = `${name}: built in ${elapsed(started)}`;
        },
        rendererOptions: { bottomBar: 1 },
      })),
      ...(options.nativeLabOnly ? [] : PYTHON_TOOLS).map((pin) => ({
        title: pin.name,
        task: async (_ctx: unknown, task: { title: string; output: string }) => {
          const state = await pythonToolState(pin, cfg);
          const name = `${pin.name} ${pin.version}`;
          if (state.upToDate) {
            summary.upToDate.push(pin.name);
            task.title = `${name}: up to date`;
            return;
          }
          const from = state.installed ? ` (replacing ${state.installed})` : '';
          task.title = `${name}: installing into ${venvDir(cfg.toolsDir, pin)}${from}`;
          const started = Date.now();
          await installPythonTool(pin, cfg, (line) => {
            task.output = line;
          });
          summary.installedPythonTools.push(pin.name);
          task.title = `${name}: installed in ${elapsed(started)}`;
        },
        rendererOptions: { bottomBar: 1 },
      })),
      ...(options.nativeLabOnly ? [] : [imagesSetupTask(cfg, summary)]),
    ],
    { concurrent: false, exitOnError: true, rendererOptions: { collapseErrors: false }, fallbackRendererOptions: {} },
  );
  await tasks.run();
  return summary;
}
