import type { DashboardSpec } from '../grafana.js';
import { BREAKER_STATE_MAPPINGS, FAULT_ANNOTATIONS, UP_MAPPINGS, W } from './common.js';
import { BREAKER_STATE_EXPR } from './resilience.js';

export const chaos: DashboardSpec = {
  uid: 'faultline-chaos',
  title: 'Faultline / Chaos',
  description:
    'What is broken right now: traffic on every Toxiproxy edge (a downed edge goes silent, latency and bandwidth toxics flatten it), targets down, breakers, firing alerts. Fault windows are annotated.',
  tags: ['chaos', 'toxiproxy'],
  annotations: FAULT_ANNOTATIONS,
  rows: [
    {
      row: 'Faults',
      panels: [
        {
          type: 'stat',
          title: 'Alerts firing',
          description: 'Alerts firing now (Prometheus ALERTS).',
          unit: 'short',
          width: 6,
          queries: [{ expr: 'count(ALERTS{alertstate="firing"}) or vector(0)', legend: 'firing' }],
        },
        {
          type: 'stat',
          title: 'Targets down',
          description: 'Scrape targets not answering (a stopped service, a component down).',
          unit: 'short',
          width: 6,
          queries: [{ expr: 'count(up == 0) or vector(0)', legend: 'down' }],
        },
        {
          type: 'stat',
          title: 'Breakers not closed',
          description: 'Breakers open, half open or forced open.',
          unit: 'short',
          width: 6,
          queries: [{ expr: 'sum(resilience4j_circuitbreaker_state{state=~"open|half_open|forced_open"})', legend: 'not closed' }],
        },
        {
          type: 'stat',
          title: 'Silent edges',
          description: 'Toxiproxy edges that carried traffic in the last 10 minutes but nothing in the last 30 s (down, or blocked).',
          unit: 'short',
          width: 6,
          queries: [
            {
              expr: 'count((sum by (proxy) (rate(toxiproxy_proxy_sent_bytes_total[30s])) == 0) and (sum by (proxy) (increase(toxiproxy_proxy_sent_bytes_total[10m])) > 0)) or vector(0)',
              legend: 'silent',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'Edge traffic (upstream)',
          description: 'Bytes per second each Toxiproxy edge forwards to its upstream.',
          unit: 'Bps',
          queries: [{ expr: `sum by (proxy) (rate(toxiproxy_proxy_sent_bytes_total{direction="upstream"}[${W}]))`, legend: '{{proxy}}' }],
        },
        {
          type: 'timeseries',
          title: 'Edge traffic (downstream)',
          description: 'Bytes per second each edge returns to its caller; a bandwidth toxic caps it, a slicer does not change it.',
          unit: 'Bps',
          queries: [{ expr: `sum by (proxy) (rate(toxiproxy_proxy_sent_bytes_total{direction="downstream"}[${W}]))`, legend: '{{proxy}}' }],
        },
        {
          type: 'state-timeline',
          title: 'Breaker state per dependency',
          description: 'Same as on the resilience dashboard, to read next to the faults.',
          fieldConfig: { mappings: BREAKER_STATE_MAPPINGS, color: { mode: 'fixed' } },
          queries: [{ expr: BREAKER_STATE_EXPR, legend: '{{application}} → {{name}}' }],
        },
        {
          type: 'state-timeline',
          title: 'Scrape targets',
          description: 'Services and components answering Prometheus.',
          fieldConfig: { mappings: UP_MAPPINGS },
          queries: [{ expr: 'max by (job, service, component) (up)', legend: '{{job}} {{service}}{{component}}' }],
        },
        {
          type: 'timeseries',
          title: 'Gateway-facing errors (client side)',
          description: 'Requests k6 saw fail, per request name: the user-visible effect of the fault.',
          unit: 'reqps',
          width: 24,
          queries: [
            {
              expr: `sum by (name, status) (rate(k6_http_reqs_total{expected_response="false"}[${W}])) or sum by (name) (rate(k6_http_reqs_total[${W}])) * 0`,
              legend: '{{name}} {{status}}',
            },
          ],
        },
      ],
    },
  ],
};
