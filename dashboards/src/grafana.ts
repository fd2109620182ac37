/**
 * A small builder for Grafana dashboard JSON (schema 39, Grafana 11): panels are described by
 * their query and unit, and the builder assigns ids, the grid layout and the datasources.
 */

/** Datasource uids provisioned by `compose/grafana/provisioning/datasources/datasources.yml`. */
export const DATASOURCES = {
  prometheus: { type: 'prometheus', uid: 'prometheus' },
  jaeger: { type: 'jaeger', uid: 'jaeger' },
  elasticsearch: { type: 'elasticsearch', uid: 'elasticsearch' },
} as const;

export interface Query {
  readonly expr: string;
  readonly legend?: string;
  /** Ask Grafana for exemplars (trace ids linking to Jaeger); only on histogram latency queries. */
  readonly exemplar?: boolean;
}

type PanelType = 'timeseries' | 'stat' | 'state-timeline' | 'bargauge' | 'logs';

export interface PanelSpec {
  readonly type: PanelType;
  readonly title: string;
  readonly description: string;
  readonly unit?: string;
  readonly queries?: readonly Query[];
  /** Elasticsearch (Lucene) query of a logs panel. */
  readonly logQuery?: string;
  /** Width in grid columns (of 24). */
  readonly width?: number;
  readonly height?: number;
  readonly fieldConfig?: Record<string, unknown>;
  readonly options?: Record<string, unknown>;
  readonly stacked?: boolean;
}

export interface Row {
  readonly row: string;
  readonly panels: readonly PanelSpec[];
}

export interface Annotation {
  readonly name: string;
  readonly expr: string;
  readonly color: string;
  readonly title: string;
  readonly text: string;
}

export interface Variable {
  readonly name: string;
  readonly label: string;
  /** `label_values(metric, label)`. */
  readonly metric: string;
  readonly labelName: string;
}

export interface DashboardSpec {
  /** File name (without `.json`) and dashboard uid. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly rows: readonly Row[];
  readonly variables?: readonly Variable[];
  readonly annotations?: readonly Annotation[];
}

const q = (query: Query, index: number) => ({
  refId: String.fromCharCode(65 + index),
  datasource: DATASOURCES.prometheus,
  expr: query.expr,
  legendFormat: query.legend ?? '__auto',
  range: true,
  instant: false,
  exemplar: query.exemplar ?? false,
});

function defaultsFor(spec: PanelSpec): Record<string, unknown> {
  const custom =
    spec.type === 'timeseries'
      ? {
          drawStyle: 'line',
          lineWidth: 1,
          fillOpacity: spec.stacked ? 30 : 10,
          showPoints: 'never',
          stacking: { mode: spec.stacked ? 'normal' : 'none', group: 'A' },
        }
      : {};
  return { unit: spec.unit ?? 'short', custom, ...(spec.fieldConfig ?? {}) };
}

/**
 * Panel options, complete: Grafana fills in missing options when it loads a panel, but its typed
 * model (and faultline-dashlint's validate-dist rule) requires them; the values are Grafana's defaults.
 */
function optionsFor(spec: PanelSpec): Record<string, unknown> {
  const legend = { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] };
  const reduceOptions = { calcs: ['lastNotNull'], fields: '', values: false };
  switch (spec.type) {
    case 'timeseries':
      return { legend, tooltip: { mode: 'multi', sort: 'desc' }, ...spec.options };
    case 'stat':
      return {
        reduceOptions,
        colorMode: 'value',
        graphMode: 'area',
        textMode: 'auto',
        justifyMode: 'auto',
        orientation: 'auto',
        wideLayout: true,
        showPercentChange: false,
        percentChangeColorMode: 'standard',
        ...spec.options,
      };
    case 'state-timeline':
      return { legend, tooltip: { mode: 'single', sort: 'none' }, mergeValues: true, showValue: 'never', rowHeight: 0.9, ...spec.options };
    case 'bargauge':
      return {
        reduceOptions,
        orientation: 'horizontal',
        displayMode: 'gradient',
        valueMode: 'color',
        namePlacement: 'auto',
        showUnfilled: true,
        sizing: 'auto',
        minVizWidth: 8,
        minVizHeight: 16,
        maxVizHeight: 300,
        legend: { ...legend, showLegend: false },
        ...spec.options,
      };
    case 'logs':
      return {
        showTime: true,
        showLabels: false,
        showCommonLabels: false,
        wrapLogMessage: true,
        prettifyLogMessage: false,
        enableLogDetails: true,
        showLogContextToggle: false,
        dedupStrategy: 'none',
        sortOrder: 'Descending',
        ...spec.options,
      };
  }
}

function panelJson(spec: PanelSpec, id: number, gridPos: Record<string, number>): Record<string, unknown> {
  if (spec.type === 'logs') {
    return {
      id,
      type: 'logs',
      title: spec.title,
      description: spec.description,
      gridPos,
      datasource: DATASOURCES.elasticsearch,
      targets: [
        {
          refId: 'A',
          datasource: DATASOURCES.elasticsearch,
          query: spec.logQuery ?? '*',
          metrics: [{ id: '1', type: 'logs' }],
          bucketAggs: [],
          timeField: '@timestamp',
        },
      ],
      options: optionsFor(spec),
    };
  }
  return {
    id,
    type: spec.type,
    title: spec.title,
    description: spec.description,
    gridPos,
    datasource: DATASOURCES.prometheus,
    fieldConfig: { defaults: defaultsFor(spec), overrides: [] },
    options: optionsFor(spec),
    targets: (spec.queries ?? []).map(q),
  };
}

/** The dashboard JSON model Grafana provisions from a file. */
export function dashboardJson(spec: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({ id: id++, type: 'row', title: row.row, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const panel of row.panels) {
      const w = panel.width ?? 12;
      const h = panel.height ?? (panel.type === 'stat' ? 4 : 8);
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push(panelJson(panel, id++, { h, w, x, y }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  const annotations = [
    {
      builtIn: 1,
      datasource: { type: 'grafana', uid: '-- Grafana --' },
      enable: true,
      hide: true,
      iconColor: 'rgba(0, 211, 255, 1)',
      name: 'Annotations & Alerts',
      type: 'dashboard',
    },
    ...(spec.annotations ?? []).map((a) => ({
      datasource: DATASOURCES.prometheus,
      enable: true,
      hide: false,
      iconColor: a.color,
      name: a.name,
      expr: a.expr,
      step: '5s',
      titleFormat: a.title,
      textFormat: a.text,
      useValueForTime: false,
    })),
  ];
  const templating = (spec.variables ?? []).map((v) => ({
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: DATASOURCES.prometheus,
    query: { query: `label_values(${v.metric}, ${v.labelName})`, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    definition: `label_values(${v.metric}, ${v.labelName})`,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.+',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  }));
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['faultline', ...spec.tags],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-30m', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    annotations: { list: annotations },
    templating: { list: templating },
    links: [
      {
        title: 'Faultline',
        type: 'dashboards',
        tags: ['faultline'],
        asDropdown: true,
        icon: 'external link',
        tooltip: '',
        targetBlank: false,
        includeVars: false,
        keepTime: true,
      },
    ],
    panels,
  };
}
