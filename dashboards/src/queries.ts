import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { DASHBOARDS } from './boards.js';
import { RULES_DIR } from './paths.js';

/** Where a PromQL expression comes from, and whether it is expected to return data after real load. */
export interface PromQuery {
  /** `dashboard:<uid>/<panel title>#<refId>`, `annotation:<uid>/<name>`, `record:<file>/<name>` or `alert:<file>/<name>`. */
  readonly id: string;
  readonly kind: 'panel' | 'annotation' | 'record' | 'alert';
  /** The expression as written (dashboards may use Grafana variables such as `$__rate_interval`). */
  readonly source: string;
  /** Plain PromQL, Grafana variables expanded, ready for `/api/v1/query`. */
  readonly expr: string;
  /**
   * Panels and recording rules should return data once the lab has seen real load (k6 series
   * exist only while and shortly after k6 writes them: query those over the load window).
   * Alerts and annotations mark faults, so an empty answer is the healthy one.
   */
  readonly expectData: boolean;
}

/** Grafana's built-in variables, replaced by values that suit a 5 s scrape interval. */
const MACROS: Readonly<Record<string, string>> = {
  $__rate_interval: '1m',
  $__interval: '15s',
  $__range: '30m',
};

/** Expand Grafana variables: built-ins as in {@link MACROS}; dashboard variables (`$application`) as "all" (`.+`). */
export function expandGrafana(expr: string): string {
  let out = expr;
  for (const [macro, value] of Object.entries(MACROS)) out = out.split(macro).join(value);
  return out.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (match, name: string) => (/^\d/.test(name) ? match : '.+'));
}

/** Every PromQL expression of every dashboard panel and annotation. */
export function dashboardQueries(): PromQuery[] {
  const out: PromQuery[] = [];
  for (const d of DASHBOARDS) {
    for (const row of d.rows) {
      for (const panel of row.panels) {
        (panel.queries ?? []).forEach((q, i) => {
          const refId = String.fromCharCode(65 + i);
          out.push({ id: `dashboard:${d.uid}/${panel.title}#${refId}`, kind: 'panel', source: q.expr, expr: expandGrafana(q.expr), expectData: true });
        });
      }
    }
    for (const a of d.annotations ?? []) {
      out.push({ id: `annotation:${d.uid}/${a.name}`, kind: 'annotation', source: a.expr, expr: expandGrafana(a.expr), expectData: false });
    }
  }
  return out;
}

interface RuleFile {
  groups: { name: string; rules: { record?: string; alert?: string; expr: string }[] }[];
}

/** The rule files in `dashboards/prometheus/` (not the unit tests below it), parsed. */
export async function ruleFiles(dir = RULES_DIR): Promise<{ file: string; content: RuleFile }[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yml')).sort();
  return Promise.all(files.map(async (file) => ({ file, content: parse(await readFile(path.join(dir, file), 'utf8')) as RuleFile })));
}

/** Every recording and alerting rule expression. */
export async function ruleQueries(): Promise<PromQuery[]> {
  const out: PromQuery[] = [];
  for (const { file, content } of await ruleFiles()) {
    for (const group of content.groups) {
      for (const rule of group.rules) {
        const expr = rule.expr.trim();
        if (rule.record) out.push({ id: `record:${file}/${rule.record}`, kind: 'record', source: expr, expr, expectData: true });
        if (rule.alert) out.push({ id: `alert:${file}/${rule.alert}`, kind: 'alert', source: expr, expr, expectData: false });
      }
    }
  }
  return out;
}

/** Every PromQL expression of every dashboard panel, annotation and rule (for the system test against a real Prometheus). */
export async function allQueries(): Promise<PromQuery[]> {
  return [...dashboardQueries(), ...(await ruleQueries())];
}

/** Names of every alert in the rule files. */
export async function alertNames(): Promise<string[]> {
  return (await ruleQueries()).filter((q) => q.kind === 'alert').map((q) => q.id.split('/').pop() as string);
}
