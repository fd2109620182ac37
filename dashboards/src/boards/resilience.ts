import type { DashboardSpec } from '../grafana.js';
import { BREAKER_STATE_MAPPINGS, FAULT_ANNOTATIONS, W } from './common.js';

const state = (s: string, weight: number) =>
  `max by (application, name) (resilience4j_circuitbreaker_state{state="${s}"})${weight === 1 ? '' : ` * ${weight}`}`;

/** One series per (caller, dependency): 0 closed, 1 open, 2 half open, 3 forced open, 4 disabled. */
export const BREAKER_STATE_EXPR = [state('open', 1), state('half_open', 2), state('forced_open', 3), state('disabled', 4)].join(' + ');

export const resilience: DashboardSpec = {
  uid: 'faultline-resilience',
  title: 'Faultline / Resilience',
  description:
    'The policy in front of each dependency (resilience4j-named metrics, name = dependency, application = caller): breaker, retries, time limiter, bulkhead.',
  tags: ['resilience', 'breaker'],
  annotations: FAULT_ANNOTATIONS,
  rows: [
    {
      row: 'Circuit breakers',
      panels: [
        {
          type: 'state-timeline',
          title: 'Breaker state per dependency',
          description: 'State of each breaker over time (caller → dependency).',
          width: 24,
          fieldConfig: {
            mappings: BREAKER_STATE_MAPPINGS,
            thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }] },
            color: { mode: 'fixed' },
          },
          queries: [{ expr: BREAKER_STATE_EXPR, legend: '{{application}} → {{name}}' }],
        },
        {
          type: 'timeseries',
          title: 'Calls through the breaker by outcome',
          description: 'successful, failed (counts against the breaker) and ignored (4xx answers, which do not).',
          unit: 'reqps',
          width: 8,
          queries: [
            {
              expr: `sum by (application, name, kind) (rate(resilience4j_circuitbreaker_calls_seconds_count[${W}]))`,
              legend: '{{application}} → {{name}} {{kind}}',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'Not-permitted calls',
          description: 'Calls rejected without trying because the breaker was open (fail-fast).',
          unit: 'reqps',
          width: 8,
          queries: [
            {
              expr: `sum by (application, name) (rate(resilience4j_circuitbreaker_not_permitted_calls_total[${W}]))`,
              legend: '{{application}} → {{name}}',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'Dependency call latency p95',
          description: '95th percentile duration of the calls the breaker let through.',
          unit: 's',
          width: 8,
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (application, name, le) (rate(resilience4j_circuitbreaker_calls_seconds_bucket[${W}])))`,
              legend: '{{application}} → {{name}}',
            },
          ],
        },
      ],
    },
    {
      row: 'Retries and timeouts',
      panels: [
        {
          type: 'timeseries',
          title: 'Retry outcomes',
          description: 'Calls by whether they were retried and how they ended; failed_with_retry growing means retries do not help.',
          unit: 'reqps',
          stacked: true,
          queries: [
            {
              expr: `sum by (application, name, kind) (rate(resilience4j_retry_calls_total[${W}]))`,
              legend: '{{application}} → {{name}} {{kind}}',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'Time limiter outcomes',
          description: 'Attempts by outcome; timeout means the per-attempt timeout cut the call.',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (application, name, kind) (rate(resilience4j_timelimiter_calls_total[${W}]))`,
              legend: '{{application}} → {{name}} {{kind}}',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'Retry amplification',
          description: 'Attempts (time limiter) per call (retry): 1 means no retries; bounded by the retry policy.',
          unit: 'none',
          queries: [
            {
              expr: `sum by (application, name) (rate(resilience4j_timelimiter_calls_total[${W}])) / sum by (application, name) (rate(resilience4j_retry_calls_total[${W}]))`,
              legend: '{{application}} → {{name}}',
            },
          ],
        },
        {
          type: 'timeseries',
          title: 'Timeouts',
          description: 'Attempts cut by the time limiter.',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (application, name) (rate(resilience4j_timelimiter_calls_total{kind="timeout"}[${W}]))`,
              legend: '{{application}} → {{name}}',
            },
          ],
        },
      ],
    },
    {
      row: 'Bulkheads',
      panels: [
        {
          type: 'timeseries',
          title: 'Bulkhead slots in use',
          description: 'Concurrent calls in flight per dependency (allowed minus available).',
          unit: 'short',
          queries: [
            {
              expr: 'max by (application, name) (resilience4j_bulkhead_max_allowed_concurrent_calls - resilience4j_bulkhead_available_concurrent_calls)',
              legend: '{{application}} → {{name}}',
            },
          ],
        },
        {
          type: 'bargauge',
          title: 'Bulkhead slots available',
          description: 'Free slots now; 0 means further calls are rejected at once.',
          unit: 'short',
          queries: [{ expr: 'max by (application, name) (resilience4j_bulkhead_available_concurrent_calls)', legend: '{{application}} → {{name}}' }],
        },
      ],
    },
  ],
};
