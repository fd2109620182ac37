import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { checkDashboards } from '../src/generate.js';
import { DATASOURCES } from '../src/grafana.js';
import { GRAFANA_DIR } from '../src/paths.js';
import { dashboardQueries } from '../src/queries.js';
import { promtool } from './support.js';

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { uid: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { refId: string; expr?: string; query?: string; datasource?: { uid: string }; exemplar?: boolean }[];
}

const PROVISIONED_UIDS = new Set<string>(Object.values(DATASOURCES).map((d) => d.uid));

async function dashboards(): Promise<{ file: string; model: { uid: string; panels: Panel[] } }[]> {
  const files = (await readdir(GRAFANA_DIR)).filter((f) => f.endsWith('.json'));
  return Promise.all(files.map(async (file) => ({ file, model: JSON.parse(await readFile(path.join(GRAFANA_DIR, file), 'utf8')) })));
}

describe('Grafana dashboards', () => {
  it('are generated from dashboards/src and not stale', async () => {
    const { stale, extra } = await checkDashboards();
    assert.deepEqual({ stale, extra }, { stale: [], extra: [] }, 'run: node --import tsx dashboards/src/generate.ts');
  });

  it('parse, have unique panel ids and the uid of their file name', async () => {
    const all = await dashboards();
    assert.ok(all.length >= 6, 'service overview, resilience, saga, messaging, load and chaos');
    for (const { file, model } of all) {
      assert.equal(`${model.uid}.json`, file);
      const ids = model.panels.map((p) => p.id);
      assert.equal(new Set(ids).size, ids.length, `${file}: duplicate panel ids`);
    }
  });

  it('use only the provisioned datasource uids, and every Prometheus target has an expr', async () => {
    for (const { file, model } of await dashboards()) {
      for (const panel of model.panels.filter((p) => p.type !== 'row')) {
        const where = `${file} / ${panel.title}`;
        assert.ok(panel.datasource && PROVISIONED_UIDS.has(panel.datasource.uid), `${where}: unknown datasource`);
        assert.ok(panel.targets?.length, `${where}: no targets`);
        for (const target of panel.targets ?? []) {
          assert.ok(target.datasource && PROVISIONED_UIDS.has(target.datasource.uid), `${where}: target datasource`);
          if (target.datasource?.uid === 'prometheus') assert.ok(target.expr?.trim(), `${where} #${target.refId}: empty expr`);
        }
      }
    }
  });

  // The dashboard-linter rules are checked by faultline-dashlint (dashboards/test/lint.test.ts); this
  // is ours: latency panels link their exemplars to the traces in Jaeger.
  it('every latency panel shows exemplars, so a slow point opens its trace', async () => {
    let latencyPanels = 0;
    for (const { file, model } of await dashboards()) {
      for (const panel of model.panels.filter((p) => p.type === 'timeseries')) {
        for (const t of panel.targets ?? []) {
          if (!t.expr?.includes('http_server_requests_seconds_bucket')) continue;
          latencyPanels += 1;
          assert.ok(t.exemplar, `${file} / ${panel.title}: latency without exemplars`);
        }
      }
    }
    assert.ok(latencyPanels >= 2, `only ${latencyPanels} latency queries found`);
  });

  it('every panel and annotation query is valid PromQL (promtool parses them as rules)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-promql-'));
    try {
      const queries = dashboardQueries();
      const rules = queries.map((q, i) => ({ record: `dashboard_query:${i}`, expr: q.expr }));
      await writeFile(path.join(dir, 'queries.yml'), stringify({ groups: [{ name: 'dashboard-queries', rules }] }));
      await promtool('check', 'rules', path.join(dir, 'queries.yml'));
      assert.ok(
        queries.every((q) => !q.expr.includes('$')),
        'Grafana variables left unexpanded',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
