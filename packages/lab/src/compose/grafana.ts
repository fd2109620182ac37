import { LOG_INDEX_PATTERN } from './log-index.js';

/**
 * Grafana's datasource provisioning for compose. The uids are what the dashboards in
 * `dashboards/` reference (dashboards/src/grafana.ts), so they never change.
 */
export function grafanaDatasources(): Record<string, unknown> {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: 'prometheus',
        type: 'prometheus',
        url: 'http://prometheus:9090',
        isDefault: true,
        jsonData: { exemplarTraceIdDestinations: [{ name: 'trace_id', datasourceUid: 'jaeger' }] },
      },
      { name: 'Jaeger', uid: 'jaeger', type: 'jaeger', url: 'http://jaeger:16686' },
      {
        name: 'Elasticsearch',
        uid: 'elasticsearch',
        type: 'elasticsearch',
        url: 'http://elasticsearch:9200',
        jsonData: {
          index: LOG_INDEX_PATTERN,
          timeField: '@timestamp',
          logMessageField: 'message',
          logLevelField: 'log.level',
          // A log line's trace.id opens the trace in the Jaeger datasource. `$$` because Grafana
          // expands $VARIABLES in provisioning files.
          dataLinks: [{ field: 'trace.id', datasourceUid: 'jaeger', url: '$${__value.raw}', urlDisplayLabel: 'Trace in Jaeger' }],
        },
      },
    ],
  };
}
