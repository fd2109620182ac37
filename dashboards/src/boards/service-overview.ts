import type { DashboardSpec } from '../grafana.js';
import { CHECKOUT, FAULT_ANNOTATIONS, HTTP, UP_MAPPINGS, W } from './common.js';

const APP = 'application=~"$application"';
/** 5xx share; `or … * 0` keeps a 0 series when no 5xx was ever counted. */
const errorRatio = (by: string) =>
  `(sum by (${by}) (rate(${HTTP}_count{${APP},status_code=~"5.."}[${W}])) or sum by (${by}) (rate(${HTTP}_count{${APP}}[${W}])) * 0) / sum by (${by}) (rate(${HTTP}_count{${APP}}[${W}]))`;
const quantile = (q: number, by: string) => `histogram_quantile(${q}, sum by (${by}, le) (rate(${HTTP}_bucket{${APP}}[${W}])))`;

export const serviceOverview: DashboardSpec = {
  uid: 'faultline-services',
  title: 'Faultline / Service overview',
  description: 'RED per service and per route, checkout SLO, runtime health. Latency panels carry exemplars linking to Jaeger traces.',
  tags: ['red', 'services'],
  variables: [{ name: 'application', label: 'Service', metric: `${HTTP}_count`, labelName: 'application' }],
  annotations: FAULT_ANNOTATIONS,
  rows: [
    {
      row: 'Checkout SLO',
      panels: [
        {
          type: 'stat',
          title: 'Checkout availability (30 m)',
          description: 'Share of POST /v1/orders answered without a 5xx over 30 minutes (objective 99 %). Recorded by faultline-slo rules.',
          unit: 'percentunit',
          width: 6,
          queries: [{ expr: '1 - slo:checkout_errors:ratio_rate30m', legend: 'availability' }],
        },
        {
          type: 'stat',
          title: 'Checkout error budget burn (5 m)',
          description: 'How fast the 1 % error budget burns: 1 = exactly on budget; the page threshold is 14.4.',
          unit: 'none',
          width: 6,
          queries: [{ expr: 'slo:checkout_errors:ratio_rate5m / 0.01', legend: 'burn rate' }],
        },
        {
          type: 'stat',
          title: 'Checkouts slower than 1 s (5 m)',
          description: 'Share of checkouts slower than 1 s (objective: at most 5 %).',
          unit: 'percentunit',
          width: 6,
          queries: [{ expr: 'slo:checkout_slow:ratio_rate5m', legend: 'slow' }],
        },
        {
          type: 'stat',
          title: 'Checkout p95',
          description: '95th percentile latency of POST /v1/orders over 5 minutes.',
          unit: 's',
          width: 6,
          queries: [{ expr: `histogram_quantile(0.95, sum by (le) (rate(${HTTP}_bucket{${CHECKOUT}}[5m])))`, legend: 'p95' }],
        },
        {
          type: 'timeseries',
          title: 'Checkout responses by status',
          description: 'POST /v1/orders per status: 201 confirmed, 202 accepted while payment is unavailable (fallback), 5xx failures.',
          unit: 'reqps',
          stacked: true,
          queries: [{ expr: `sum by (status_code) (rate(${HTTP}_count{${CHECKOUT}}[${W}]))`, legend: '{{status_code}}' }],
        },
        {
          type: 'timeseries',
          title: 'Checkout latency',
          description: 'p50/p95/p99 of POST /v1/orders; exemplar dots open the trace in Jaeger.',
          unit: 's',
          queries: [0.5, 0.95, 0.99].map((p) => ({
            expr: `histogram_quantile(${p}, sum by (le) (rate(${HTTP}_bucket{${CHECKOUT}}[${W}])))`,
            legend: `p${p * 100}`,
            exemplar: true,
          })),
        },
      ],
    },
    {
      row: 'RED per service',
      panels: [
        {
          type: 'timeseries',
          title: 'Requests per service',
          description: 'Rate of HTTP requests each service answered.',
          unit: 'reqps',
          width: 8,
          queries: [{ expr: `sum by (application) (rate(${HTTP}_count{${APP}}[${W}]))`, legend: '{{application}}' }],
        },
        {
          type: 'timeseries',
          title: 'Error ratio (5xx) per service',
          description: 'Share of responses with a 5xx status.',
          unit: 'percentunit',
          width: 8,
          queries: [{ expr: errorRatio('application'), legend: '{{application}}' }],
        },
        {
          type: 'timeseries',
          title: 'p95 latency per service',
          description: '95th percentile request duration; exemplars link to Jaeger.',
          unit: 's',
          width: 8,
          queries: [{ expr: quantile(0.95, 'application'), legend: '{{application}}', exemplar: true }],
        },
      ],
    },
    {
      row: 'RED per route',
      panels: [
        {
          type: 'timeseries',
          title: 'Requests per route',
          description: 'Rate per route template and method.',
          unit: 'reqps',
          queries: [{ expr: `sum by (application, method, route) (rate(${HTTP}_count{${APP}}[${W}]))`, legend: '{{application}} {{method}} {{route}}' }],
        },
        {
          type: 'timeseries',
          title: 'Responses per route and status',
          description: 'Rate per route and status code; non-2xx lines show what failed and how.',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (application, route, status_code) (rate(${HTTP}_count{${APP}}[${W}]))`,
              legend: '{{application}} {{route}} {{status_code}}',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'p95 latency per route',
          description: '95th percentile per route; exemplars link to Jaeger.',
          unit: 's',
          queries: [{ expr: quantile(0.95, 'application, method, route'), legend: '{{application}} {{method}} {{route}}', exemplar: true }],
        },
        {
          type: 'timeseries',
          title: 'p99 latency per route',
          description: '99th percentile per route; exemplars link to Jaeger.',
          unit: 's',
          queries: [{ expr: quantile(0.99, 'application, method, route'), legend: '{{application}} {{method}} {{route}}', exemplar: true }],
        },
      ],
    },
    {
      row: 'Runtime',
      panels: [
        {
          type: 'state-timeline',
          title: 'Scrape targets',
          description: 'Whether Prometheus reaches each service and infrastructure component.',
          width: 24,
          fieldConfig: { mappings: UP_MAPPINGS },
          queries: [{ expr: 'max by (job, service, component) (up)', legend: '{{job}} {{service}}{{component}}' }],
        },
        {
          type: 'timeseries',
          title: 'Event-loop lag p99',
          description: 'Node event-loop lag; a busy or blocked loop delays every request.',
          unit: 's',
          width: 8,
          queries: [{ expr: `max by (application) (nodejs_eventloop_lag_p99_seconds{${APP}})`, legend: '{{application}}' }],
        },
        {
          type: 'timeseries',
          title: 'CPU',
          description: 'CPU seconds per second per service process.',
          unit: 'percentunit',
          width: 8,
          queries: [{ expr: `sum by (application) (rate(process_cpu_seconds_total{${APP}}[${W}]))`, legend: '{{application}}' }],
        },
        {
          type: 'timeseries',
          title: 'Heap used',
          description: 'V8 heap in use per service.',
          unit: 'bytes',
          width: 8,
          queries: [{ expr: `sum by (application) (nodejs_heap_size_used_bytes{${APP}})`, legend: '{{application}}' }],
        },
        {
          type: 'logs',
          title: 'Error logs (Elasticsearch, compose elk profile)',
          description:
            'ECS logs at level error from every service; expand a line and follow trace.id to Jaeger. Natively: npm run faultline -- logs --level error.',
          width: 24,
          logQuery: 'log.level:error',
        },
      ],
    },
  ],
};
