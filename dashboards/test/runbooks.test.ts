import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RUNBOOKS_DIR } from '../src/paths.js';
import { alertNames } from '../src/queries.js';

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
        await readFile(path.join(RUNBOOKS_DIR, '..', 'chaos', 'experiments', `${experiment}.yaml`)).catch(() =>
          assert.fail(`${alert}: experiment ${experiment} does not exist`),
        );
      }
    }
  });
});
