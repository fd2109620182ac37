import type { Annotation } from '../grafana.js';

/** Rate window: Grafana's `$__rate_interval` (at least four scrapes of 5 s). */
export const W = '$__rate_interval';

/** The RED histogram every service exports, labelled `application`, `method`, `route`, `status_code`. */
export const HTTP = 'http_server_requests_seconds';

/** The checkout endpoint, whose availability and latency are the lab's SLOs. */
export const CHECKOUT = 'application="order",method="POST",route="/v1/orders"';

/** Fault markers shared by every dashboard: a breaker leaving `closed`, a scrape target down, an alert firing. */
export const FAULT_ANNOTATIONS: readonly Annotation[] = [
  {
    name: 'Breaker not closed',
    expr: 'sum by (application, name) (resilience4j_circuitbreaker_state{state=~"open|half_open|forced_open"}) > 0',
    color: 'red',
    title: 'breaker {{name}} not closed',
    text: '{{application}} → {{name}}',
  },
  { name: 'Target down', expr: 'up == 0', color: 'orange', title: '{{job}} down', text: '{{instance}}' },
  { name: 'Alerts firing', expr: 'ALERTS{alertstate="firing"}', color: 'purple', title: '{{alertname}}', text: '{{severity}}' },
];

/** Value mappings of the breaker state timeline (see the query in `resilience.ts`). */
export const BREAKER_STATE_MAPPINGS = [
  {
    type: 'value',
    options: {
      '0': { text: 'closed', color: 'green', index: 0 },
      '1': { text: 'open', color: 'red', index: 1 },
      '2': { text: 'half open', color: 'orange', index: 2 },
      '3': { text: 'forced open', color: 'purple', index: 3 },
      '4': { text: 'disabled', color: 'gray', index: 4 },
    },
  },
];

export const UP_MAPPINGS = [
  {
    type: 'value',
    options: { '0': { text: 'down', color: 'red', index: 0 }, '1': { text: 'up', color: 'green', index: 1 } },
  },
];
