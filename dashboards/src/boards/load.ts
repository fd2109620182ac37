import type { DashboardSpec } from '../grafana.js';
import { CHECKOUT, FAULT_ANNOTATIONS, HTTP, W } from './common.js';

const PROFILE = 'profile=~"$profile"';

export const load: DashboardSpec = {
  uid: 'faultline-load',
  title: 'Faultline / Load (k6)',
  description: 'k6 metrics written into Prometheus by remote write (tags: profile, journey, name, status), next to what the services saw.',
  tags: ['load', 'k6'],
  variables: [{ name: 'profile', label: 'Profile', metric: 'k6_vus', labelName: 'profile' }],
  annotations: FAULT_ANNOTATIONS,
  rows: [
    {
      row: 'Load',
      panels: [
        {
          type: 'timeseries',
          title: 'Virtual users',
          description: 'Active VUs per profile and the allocated maximum.',
          unit: 'short',
          width: 8,
          queries: [
            { expr: `sum by (profile) (k6_vus{${PROFILE}})`, legend: '{{profile}} vus' },
            { expr: `sum by (profile) (k6_vus_max{${PROFILE}})`, legend: '{{profile}} max' },
          ],
        },
        {
          type: 'timeseries',
          title: 'Requests by journey step',
          description: 'Requests per second k6 sent, per named request.',
          unit: 'reqps',
          width: 16,
          queries: [{ expr: `sum by (journey, name) (rate(k6_http_reqs_total{${PROFILE}}[${W}]))`, legend: '{{journey}} {{name}}' }],
        },
        {
          type: 'timeseries',
          title: 'Requests by status',
          description: 'Requests per second by HTTP status as the client saw it (gateway included).',
          unit: 'reqps',
          stacked: true,
          queries: [{ expr: `sum by (status) (rate(k6_http_reqs_total{${PROFILE}}[${W}]))`, legend: '{{status}}' }],
        },
        {
          type: 'timeseries',
          title: 'Failed request rate',
          description: 'k6 http_req_failed (unexpected status or transport error), per request name.',
          unit: 'percentunit',
          queries: [{ expr: `max by (name) (k6_http_req_failed_rate{${PROFILE}})`, legend: '{{name}}' }],
        },
        {
          type: 'timeseries',
          title: 'Request duration p95 (client side)',
          description: 'p95 of http_req_duration per request name, as k6 measured it.',
          unit: 's',
          queries: [{ expr: `max by (name) (k6_http_req_duration_p95{${PROFILE}})`, legend: '{{name}}' }],
        },
        {
          type: 'timeseries',
          title: 'Checkout: client vs service',
          description: 'p95 of "place order" in k6 against p95 of POST /v1/orders in the order service; the gap is gateway and network.',
          unit: 's',
          queries: [
            { expr: `max(k6_http_req_duration_p95{${PROFILE},name="place order"})`, legend: 'k6 place order p95' },
            { expr: `histogram_quantile(0.95, sum by (le) (rate(${HTTP}_bucket{${CHECKOUT}}[${W}])))`, legend: 'order service p95', exemplar: true },
          ],
        },
        {
          type: 'timeseries',
          title: 'Checks and iterations',
          description: 'Share of k6 checks passing, iterations per second and iterations dropped (the system could not keep up).',
          unit: 'short',
          queries: [
            { expr: `avg by (profile) (k6_checks_rate{${PROFILE}})`, legend: '{{profile}} checks pass rate' },
            { expr: `sum by (profile) (rate(k6_iterations_total{${PROFILE}}[${W}]))`, legend: '{{profile}} iterations/s' },
            {
              // The counter appears only after the first drop; `or … * 0` draws 0 until then.
              expr: `sum by (profile) (rate(k6_dropped_iterations_total{${PROFILE}}[${W}])) or sum by (profile) (rate(k6_iterations_total{${PROFILE}}[${W}])) * 0`,
              legend: '{{profile}} dropped/s',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'Data transferred',
          description: 'Bytes k6 sent and received.',
          unit: 'Bps',
          queries: [
            { expr: `sum(rate(k6_data_sent_total{${PROFILE}}[${W}]))`, legend: 'sent' },
            { expr: `sum(rate(k6_data_received_total{${PROFILE}}[${W}]))`, legend: 'received' },
          ],
        },
      ],
    },
  ],
};
