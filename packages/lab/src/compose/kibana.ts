import { LOG_INDEX_PATTERN } from './log-index.js';
import { PUBLISHED_PORTS } from './stack.js';

/**
 * Kibana saved objects for the compose log pipeline, in the NDJSON form Kibana 8 exports and
 * `POST /api/saved_objects/_import` reads: a data view on the log indices and three saved
 * searches that reference it.
 */

/** Stable id of the data view, so imports overwrite instead of duplicating. */
export const DATA_VIEW_ID = 'faultline-logs';

export interface SavedSearch {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** KQL. */
  readonly query: string;
  readonly columns: readonly string[];
  readonly sort: readonly (readonly [field: string, direction: 'asc' | 'desc'])[];
}

/** Meant to be narrowed to one trace: `trace.id : <id>` in the query bar, or {@link discoverUrl}. */
export const LOGS_BY_TRACE: SavedSearch = {
  id: 'faultline-logs-by-trace',
  title: 'Faultline: logs by trace.id',
  description: 'Every line logged inside a trace, oldest first. Replace * in the query with a trace id: trace.id : "4bf92f3577b34da6a3ce929d0e0e4736".',
  query: 'trace.id : *',
  columns: ['service.name', 'log.level', 'message', 'trace.id', 'span.id'],
  // A trace reads as a story: oldest first.
  sort: [['@timestamp', 'asc']],
};

export const SAVED_SEARCHES: readonly SavedSearch[] = [
  LOGS_BY_TRACE,
  {
    id: 'faultline-logs-by-service',
    title: 'Faultline: logs by service',
    description: 'All lines, newest first; filter on service.name (or click a value) to follow one service.',
    query: '',
    columns: ['service.name', 'log.level', 'message'],
    sort: [['@timestamp', 'desc']],
  },
  {
    id: 'faultline-errors',
    title: 'Faultline: errors',
    description: 'Lines at level error, and any line that carries an error (its type, message and stack trace).',
    query: 'log.level : "error" or error.type : *',
    columns: ['service.name', 'log.level', 'message', 'error.type', 'error.message', 'trace.id'],
    sort: [['@timestamp', 'desc']],
  },
];

const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

/** Rison string literal (Kibana's URL state): quoted, with ' and ! escaped by !. */
const rison = (value: string) => `'${value.replace(/[!']/g, (c) => `!${c}`)}'`;

/** A Discover link that opens `search` with `query` in the query bar (e.g. one trace id). */
export function discoverUrl(search: SavedSearch, query = search.query, host = 'localhost'): string {
  const appState = `(query:(language:kuery,query:${rison(query)}))`;
  return encodeURI(`http://${host}:${PUBLISHED_PORTS.kibana}/app/discover#/view/${search.id}?_g=(time:(from:now-24h,to:now))&_a=${appState}`);
}

function dataView(): Record<string, unknown> {
  return {
    id: DATA_VIEW_ID,
    type: 'index-pattern',
    coreMigrationVersion: '8.8.0',
    typeMigrationVersion: '8.0.0',
    attributes: {
      title: LOG_INDEX_PATTERN,
      name: 'Faultline logs',
      timeFieldName: '@timestamp',
      // A trace id opens its trace in the Jaeger UI.
      fieldFormatMap: JSON.stringify({
        'trace.id': { id: 'url', params: { urlTemplate: `http://localhost:${PUBLISHED_PORTS.jaeger}/trace/{{value}}`, labelTemplate: '{{value}}' } },
      }),
    },
    references: [],
  };
}

function savedSearch(search: SavedSearch): Record<string, unknown> {
  const searchSource = {
    query: { query: search.query, language: 'kuery' },
    filter: [],
    indexRefName: INDEX_REF,
  };
  return {
    id: search.id,
    type: 'search',
    coreMigrationVersion: '8.8.0',
    // The oldest 8.x shape: Kibana migrates it forward on import.
    typeMigrationVersion: '8.0.0',
    attributes: {
      title: search.title,
      description: search.description,
      columns: search.columns,
      sort: search.sort,
      grid: {},
      hideChart: false,
      isTextBasedQuery: false,
      timeRestore: false,
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    references: [{ id: DATA_VIEW_ID, name: INDEX_REF, type: 'index-pattern' }],
  };
}

/** The saved objects, data view first. */
export function kibanaSavedObjects(): Record<string, unknown>[] {
  return [dataView(), ...SAVED_SEARCHES.map(savedSearch)];
}

/** `kibana.ndjson`: one saved object per line. */
export function kibanaNdjson(): string {
  return `${kibanaSavedObjects()
    .map((object) => JSON.stringify(object))
    .join('\n')}\n`;
}
