import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { binPath, GO_TOOLS, loadConfig } from '@faultline/lab';
import { toolState } from '../../packages/lab/src/toolchain/go-tools.js';
import { checkRequires } from '../../packages/lab/src/toolchain/local-module.js';
import type { LocalToolPin } from '../../packages/lab/src/toolchain/pins.js';
import { DASHBOARDS_DIR, GRAFANA_DIR } from '../src/paths.js';

const exec = promisify(execFile);
const lab = loadConfig();
const pin = GO_TOOLS.find((p): p is LocalToolPin => p.name === 'dashlint');
const EXCLUSIONS = path.join(DASHBOARDS_DIR, 'lint', 'exclusions.yml');

interface Finding {
  file: string;
  where?: string;
  rule: string;
  message: string;
  reason?: string;
}

interface Report {
  dashboards: number;
  panels: number;
  findings: Finding[];
  excluded: Finding[];
  rules: { name: string; applied: boolean; notApplied?: string }[];
}

/** Run faultline-dashlint; never rejects on a non-zero exit. */
async function dashlint(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(binPath(lab.toolsDir, 'faultline-dashlint'), args, { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

/** The parts of a panel the broken copy changes. */
interface PanelJson {
  type: string;
  title: string;
  description: string;
  datasource: { type: string; uid: string };
  targets: { expr: string }[];
  fieldConfig: { defaults: Record<string, unknown> };
  gridPos: Record<string, unknown>;
}

async function dashboardFiles(): Promise<string[]> {
  return (await readdir(GRAFANA_DIR)).filter((f) => f.endsWith('.json')).map((f) => path.join(GRAFANA_DIR, f));
}

describe('faultline-dashlint (the dashboard linter)', () => {
  before(async function () {
    this.timeout(30_000);
    assert.ok(pin, 'dashlint is pinned in packages/lab/src/toolchain/pins.ts');
    const state = await toolState(pin, lab);
    assert.ok(state.upToDate, `faultline-dashlint is missing or older than dashboards/lint (${state.pinned}): run "npm run faultline -- setup"`);
  });

  it('dashboards/lint/go.mod requires exactly the versions pinned in pins.ts', async () => {
    await checkRequires(pin as LocalToolPin, lab.root, { ...process.env, GOTOOLCHAIN: 'local' });
  });

  it('passes every generated dashboard with no finding; the deliberate fixed windows are excluded with their reason', async () => {
    const files = await dashboardFiles();
    const { code, stdout, stderr } = await dashlint('--json', '--config', EXCLUSIONS, ...files);
    const report = JSON.parse(stdout) as Report;
    assert.deepEqual(report.findings, [], stderr);
    assert.equal(code, 0);
    assert.equal(report.dashboards, files.length);
    assert.ok(report.panels >= 60, `${report.panels} panels`);
    for (const f of report.excluded) assert.equal(f.rule, 'target-rate-interval-rule', `${f.file} ${f.where}: only fixed rate windows are excluded`);
    const applied = report.rules.filter((r) => r.applied).map((r) => r.name);
    for (const rule of ['validate-dist', 'panel-datasource-rule', 'target-promql-rule', 'target-rate-interval-rule', 'target-counter-agg-rule']) {
      assert.ok(applied.includes(rule), `${rule} applied`);
    }
    for (const r of report.rules.filter((r) => !r.applied)) assert.ok(r.notApplied, `${r.name} says why it is not applied`);
  });

  it('prints a summary line and each rule it does not apply, with the reason', async () => {
    const files = await dashboardFiles();
    const { code, stdout } = await dashlint('--config', EXCLUSIONS, ...files);
    assert.equal(code, 0, stdout);
    const lines = stdout.trim().split('\n');
    const summary = new RegExp(
      `^${files.length} dashboards, \\d+ panels, 0 findings \\(\\d+ excluded\\); rules applied: validate-dist, .*target-counter-agg-rule$`,
    );
    assert.match(lines.at(-1) ?? '', summary);
    assert.ok(
      lines.some((l) => l.startsWith('not applied: template-job-rule: ')),
      'template-job-rule is listed as not applied',
    );
  });

  describe('on a deliberately broken dashboard', () => {
    let dir: string;
    let file: string;
    const expected: { panel: string; rule: string }[] = [];

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'faultline-dashlint-'));
      file = path.join(dir, 'broken.json');
      const model = JSON.parse(await readFile(path.join(GRAFANA_DIR, 'faultline-services.json'), 'utf8'));
      const panels = (model.panels as PanelJson[]).filter((p) => p.type === 'timeseries');
      assert.ok(panels.length >= 9, 'enough timeseries panels to break one way each');
      const breakages: [string, (panel: PanelJson) => void][] = [
        ['target-promql-rule', (p) => ((p.targets[0] as { expr: string }).expr = 'sum(rate(http_server_requests_seconds_count[$__rate_interval])')],
        ['target-rate-interval-rule', (p) => ((p.targets[0] as { expr: string }).expr = 'sum(rate(http_server_requests_seconds_count[1m]))')],
        ['target-counter-agg-rule', (p) => ((p.targets[0] as { expr: string }).expr = 'sum(http_server_requests_seconds_count)')],
        ['panel-units-rule', (p) => delete p.fieldConfig.defaults.unit],
        ['panel-title-description-rule', (p) => (p.description = '')],
        ['panel-datasource-rule', (p) => (p.datasource = { type: 'prometheus', uid: 'prometheus-old' })],
        ['panel-no-targets-rule', (p) => (p.targets = [])],
        ['validate-dist', (p) => (p.fieldConfig.defaults.unitt = 's')],
        ['validate-dist', (p) => (p.gridPos.w = 'twelve')],
      ];
      breakages.forEach(([rule, breakIt], i) => {
        const panel = panels[i] as PanelJson;
        breakIt(panel);
        expected.push({ panel: panel.title, rule });
      });
      model.templating.list[0].refresh = 1;
      model.templating.list[0].query.query = 'label_values(http_server_requests_seconds_count{, application)';
      model.annotations.list[1].datasource = { type: 'prometheus', uid: 'thanos' };
      await writeFile(file, JSON.stringify(model, null, 2));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('exits 1 and reports each broken rule by name, on the broken panel', async () => {
      const { code, stdout } = await dashlint('--json', file);
      assert.equal(code, 1, stdout);
      const findings = (JSON.parse(stdout) as Report).findings;
      const seen = (where: string, rule: string) => findings.some((f) => f.where === where && f.rule === rule);
      for (const { panel, rule } of expected) assert.ok(seen(`panel ${JSON.stringify(panel)}`, rule), `${rule} on panel "${panel}" in:\n${stdout}`);
      const variable = `variable "application"`;
      for (const rule of ['template-on-time-change-reload-rule', 'template-label-promql-rule']) assert.ok(seen(variable, rule), `${rule}`);
      assert.ok(
        findings.some((f) => f.where?.startsWith('annotation') && f.rule === 'template-datasource-rule' && f.message.includes('"thanos"')),
        'template-datasource-rule on the annotation',
      );
      assert.ok(findings.some((f) => f.message.includes("unexpected field 'unitt'")));
      assert.ok(findings.some((f) => f.message.startsWith('gridPos.w: ')));
    });

    it('prints each finding as file: panel "title": rule: message', async () => {
      const { code, stdout } = await dashlint(file);
      assert.equal(code, 1);
      const { panel } = expected.find((e) => e.rule === 'panel-units-rule') as { panel: string };
      assert.ok(
        stdout
          .split('\n')
          .includes(`${file}: panel "${panel}": panel-units-rule: has no unit: set fieldConfig.defaults.unit (e.g. s, reqps, percentunit, short)`),
        stdout,
      );
      assert.match(stdout, /^1 dashboards, \d+ panels, \d+ findings \(0 excluded\); rules applied: /m);
    });
  });

  it('exits 2 on a usage error, saying what to do', async () => {
    const none = await dashlint();
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no dashboard files given: pass one or more/);
    const missing = await dashlint(path.join(tmpdir(), 'no-such-dashboard.json'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*no-such-dashboard\.json/);
    const flag = await dashlint('--strict', 'x.json');
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown flag --strict \(run faultline-dashlint --help\)/);
  });
});
