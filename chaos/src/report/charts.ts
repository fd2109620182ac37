import type { Journal } from '../journal.js';

/** One chart of the report: the canvas id, a heading, and a chart.js config (plain JSON). */
export interface ChartSpec {
  id: string;
  title: string;
  config: Record<string, unknown>;
  /** For the breaker chart: tick labels by y value, attached in the browser (functions are not JSON). */
  yLabels?: Record<string, string>;
}

/** Breaker states as a stepped line; `disabled` (policies off) and unknown states leave a gap. */
export const BREAKER_LEVEL: Record<string, number> = { closed: 0, half_open: 1, open: 2 };

const COLOURS = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04'];

/** The run's timeline as charts, each with the fault windows shaded and the phase boundaries marked. */
export function chartSpecs(journal: Journal): ChartSpec[] {
  const { t } = journal.timeline;
  const points = (values: (number | null)[], scale = 1) => t.map((x, i) => ({ x, y: values[i] == null ? null : (values[i] as number) * scale }));
  const line = (label: string, values: (number | null)[], colour: string, scale?: number) => ({
    label,
    data: points(values, scale),
    borderColor: colour,
    backgroundColor: colour,
    pointRadius: 0,
    borderWidth: 2,
    spanGaps: false,
  });
  const specs: ChartSpec[] = [
    chart('latency', 'Gateway latency p95', 'ms', [line('p95 (ms)', journal.timeline.latencyP95Ms, '#2563eb')], journal),
    chart('errors', 'Error rate', '%', [line('errors (%)', journal.timeline.errorRate, '#dc2626', 100)], journal),
    chart('throughput', 'Requests per second', 'req/s', [line('requests/s', journal.timeline.requestsPerSec, '#16a34a')], journal),
  ];
  const breakers = Object.entries(journal.timeline.breakers).map(([edge, states], i) => {
    const disabled = states.every((s) => breakerLevel(s) === null);
    return { ...line(disabled ? `${edge} (disabled)` : edge, states.map(breakerLevel), COLOURS[i % COLOURS.length] as string), stepped: 'before' };
  });
  specs.push({
    ...chart('breakers', 'Circuit breakers', 'state', breakers, journal, { min: 0, max: 2, ticks: { stepSize: 1 } }),
    yLabels: { 0: 'closed', 1: 'half_open', 2: 'open' },
  });
  return specs.map((spec) => withWindows(spec, journal));
}

function breakerLevel(state: string): number | null {
  return Object.hasOwn(BREAKER_LEVEL, state) ? (BREAKER_LEVEL[state] as number) : null;
}

function chart(id: string, title: string, unit: string, datasets: Record<string, unknown>[], journal: Journal, y: Record<string, unknown> = {}): ChartSpec {
  const end = Math.max(journal.timeline.t.at(-1) ?? 0, ...journal.phases.map((p) => p.end), ...journal.faults.map((f) => f.end));
  return {
    id,
    title,
    config: {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        parsing: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { type: 'linear', min: 0, max: end, title: { display: true, text: 'seconds since the load started' } },
          y: { beginAtZero: true, title: { display: true, text: unit }, ...y },
        },
        plugins: { legend: { display: datasets.length > 1 }, annotation: { annotations: {} } },
      },
    },
  };
}

/** Adds a shaded box per fault window (labelled with the fault id) and a dashed line per phase boundary. */
function withWindows(spec: ChartSpec, journal: Journal): ChartSpec {
  const annotations: Record<string, unknown> = {};
  journal.faults.forEach((fault, i) => {
    annotations[`fault-${i}`] = {
      type: 'box',
      xMin: fault.start,
      xMax: fault.end,
      backgroundColor: 'rgba(220, 38, 38, 0.12)',
      borderWidth: 0,
      drawTime: 'beforeDatasetsDraw',
      label: { display: true, content: fault.id, position: { x: 'center', y: 'start' }, color: '#991b1b', font: { size: 11 } },
    };
  });
  const boundaries = [...new Set(journal.phases.flatMap((p) => [p.start, p.end]))].sort((a, b) => a - b);
  for (const at of boundaries) {
    const starting = journal.phases.find((p) => p.start === at);
    annotations[`phase-${at}`] = {
      type: 'line',
      scaleID: 'x',
      value: at,
      borderColor: 'rgba(75, 85, 99, 0.7)',
      borderWidth: 1,
      borderDash: [4, 4],
      label: { display: starting !== undefined, content: starting?.name ?? '', position: 'end', backgroundColor: 'rgba(75, 85, 99, 0.8)', font: { size: 10 } },
    };
  }
  const options = spec.config.options as { plugins: { annotation: { annotations: Record<string, unknown> } } };
  options.plugins.annotation.annotations = annotations;
  return spec;
}
