/**
 * Lint the generated dashboards with faultline-dashlint, wherever `faultline setup` installed it
 * (FAULTLINE_TOOLS_DIR is honoured), with the exclusions and their reasons.
 *
 *   npm run lint:dashboards
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { binPath, loadConfig } from '@faultline/lab';
import { DASHBOARDS_DIR, GRAFANA_DIR } from './paths.js';

const linter = binPath(loadConfig().toolsDir, 'faultline-dashlint');
if (!existsSync(linter)) {
  console.error(`lint:dashboards: ${linter} is missing: run "npm run faultline -- setup" to build it`);
  process.exit(2);
}
const files = (await readdir(GRAFANA_DIR)).filter((f) => f.endsWith('.json')).map((f) => path.join(GRAFANA_DIR, f));
const { status } = spawnSync(linter, ['--config', path.join(DASHBOARDS_DIR, 'lint', 'exclusions.yml'), ...files], { stdio: 'inherit' });
process.exitCode = status ?? 1;
