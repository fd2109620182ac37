import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadExperiments } from '../../chaos/src/load-file.js';
import { RUNBOOKS_DIR } from '../src/paths.js';
import { alertNames } from '../src/queries.js';

const ROOT = path.join(RUNBOOKS_DIR, '..');

/** The alerts each experiment expects to fire (`kind: alert-fires`), and those it names at all (also `alert-quiet`). */
async function alertsByExperiment(): Promise<{ fired: Map<string, string[]>; named: Map<string, string[]> }> {
  const fired = new Map<string, string[]>();
  const named = new Map<string, string[]>();
  for (const [name, experiment] of await loadExperiments(ROOT)) {
    const alerts = experiment.expectations.flatMap((e) => (e.kind === 'alert-fires' || e.kind === 'alert-quiet' ? [e] : []));
    fired.set(
      name,
      alerts.filter((e) => e.kind === 'alert-fires').map((e) => e.alert),
    );
    named.set(
      name,
      alerts.map((e) => e.alert),
    );
  }
  return { fired, named };
}

const SECTIONS = ['Symptoms', 'Dashboard and queries', 'Likely causes', 'Diagnosis', 'Mitigation', 'Reproduce'];

describe('Runbooks', () => {
  it('every alert has runbooks/<alert>.md with the required sections, faultline commands and an existing experiment', async () => {
    const names = await alertNames();
    assert.ok(names.length >= 8);
    for (const alert of names) {
      const text = await readFile(path.join(RUNBOOKS_DIR, `${alert}.md`), 'utf8').catch(() => assert.fail(`runbooks/${alert}.md is missing`));
      assert.match(text, new RegExp(`^# ${alert}\\b`), `${alert}: title`);
      for (const section of SECTIONS) assert.match(text, new RegExp(`^## ${section}$`, 'm'), `${alert}: section "${section}"`);
      assert.match(text, /npm run faultline -- (status|logs|audit)/, `${alert}: diagnosis commands`);
      const experiments = [...text.matchAll(/chaos run ([a-z-]+)/g)].map((m) => m[1] as string);
      assert.ok(experiments.length, `${alert}: which experiment reproduces it`);
      for (const experiment of experiments) {
        await readFile(path.join(ROOT, 'chaos', 'experiments', `${experiment}.yaml`)).catch(() =>
          assert.fail(`${alert}: experiment ${experiment} does not exist`),
        );
      }
    }
  });

  it('every alert fires in a chaos experiment its runbook names, and experiments expect only alerts that exist', async () => {
    const names = await alertNames();
    const { fired, named: alertsNamed } = await alertsByExperiment();
    for (const alert of names) {
      const text = await readFile(path.join(RUNBOOKS_DIR, `${alert}.md`), 'utf8');
      const reproduce = text.split(/^## Reproduce$/m)[1] ?? '';
      const named = [...reproduce.matchAll(/chaos run ([a-z-]+)/g)].map((m) => m[1] as string);
      const proving = named.filter((experiment) => fired.get(experiment)?.includes(alert));
      assert.ok(proving.length, `${alert}: no experiment named under "Reproduce" (${named.join(', ') || 'none'}) has an "alert-fires" expectation for it`);
    }
    for (const [experiment, alerts] of alertsNamed) {
      for (const alert of alerts) assert.ok(names.includes(alert), `${experiment} expects alert ${alert}, which no rule file defines`);
    }
  });
});
