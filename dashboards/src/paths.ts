import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `dashboards/` folder. */
export const DASHBOARDS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const GRAFANA_DIR = path.join(DASHBOARDS_DIR, 'grafana');
export const RULES_DIR = path.join(DASHBOARDS_DIR, 'prometheus');
export const RULE_TESTS_DIR = path.join(RULES_DIR, 'tests');
export const RUNBOOKS_DIR = path.resolve(DASHBOARDS_DIR, '..', 'runbooks');
