import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@faultline/lab';
import { parse, stringify } from 'yaml';
import { prometheusConfig } from '../../packages/lab/src/infra/components/prometheus.js';
import { RULE_TESTS_DIR, RULES_DIR } from '../src/paths.js';
import { alertNames, ruleFiles } from '../src/queries.js';
import { promtool } from './support.js';

interface AlertRule {
  alert: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

describe('Prometheus rules', () => {
  it('promtool check rules passes for every rule file', async () => {
    const files = (await readdir(RULES_DIR)).filter((f) => f.endsWith('.yml'));
    assert.ok(files.length >= 2);
    for (const file of files) await promtool('check', 'rules', path.join(RULES_DIR, file));
  });

  it('the generated native config loads the rule files and passes promtool check config', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'faultline-prometheus-'));
    try {
      const cfg = { ...loadConfig(), root, stateDir: path.join(root, '.faultline') };
      await mkdir(path.join(root, 'dashboards'), { recursive: true });
      await cp(RULES_DIR, path.join(root, 'dashboards', 'prometheus'), { recursive: true });
      const config = prometheusConfig(cfg);
      assert.deepEqual(config.rule_files, [path.join(root, 'dashboards', 'prometheus', '*.yml')]);
      const file = path.join(root, 'prometheus.yml');
      await writeFile(file, stringify(config));
      const out = await promtool('check', 'config', file);
      assert.match(out, /SUCCESS: \d+ rules found/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('every alert has a severity, a summary, a description and a runbook_url to runbooks/<alert>.md', async () => {
    for (const { file, content } of await ruleFiles()) {
      for (const rule of content.groups.flatMap((g) => g.rules) as unknown as AlertRule[]) {
        if (!rule.alert) continue;
        const where = `${file} ${rule.alert}`;
        assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, `${where}: severity`);
        assert.ok(rule.annotations?.summary, `${where}: summary`);
        assert.ok(rule.annotations?.description, `${where}: description`);
        assert.equal(rule.annotations?.runbook_url, `runbooks/${rule.alert}.md`, `${where}: runbook_url`);
      }
    }
  });

  it('promtool rule unit tests pass and cover every alert, firing and not firing', async function () {
    this.timeout(120_000);
    const files = (await readdir(RULE_TESTS_DIR)).filter((f) => f.endsWith('.yml'));
    const firing = new Set<string>();
    const quiet = new Set<string>();
    for (const file of files) {
      await promtool('test', 'rules', path.join(RULE_TESTS_DIR, file));
      const suite = parse(await readFile(path.join(RULE_TESTS_DIR, file), 'utf8')) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
      };
      for (const t of suite.tests.flatMap((s) => s.alert_rule_test ?? [])) (t.exp_alerts?.length ? firing : quiet).add(t.alertname);
    }
    for (const alert of await alertNames()) {
      assert.ok(firing.has(alert), `no unit test where ${alert} fires`);
      assert.ok(quiet.has(alert), `no unit test where ${alert} stays quiet`);
    }
  });
});
