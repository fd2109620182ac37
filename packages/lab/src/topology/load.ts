import path from 'node:path';
import type { LabConfig } from '../config.js';
import type { Component } from '../infra/component.js';
import { prometheusUrl } from '../infra/components/prometheus.js';
import { spawnDaemon } from '../infra/daemon.js';
import { run } from '../proc.js';
import { binPath } from '../toolchain/go-tools.js';
import { gatewayUrl } from './gateway.js';

export const LOAD_PROFILES = ['smoke', 'average', 'stress', 'spike', 'soak', 'breakpoint', 'ambient', 'experiment', 'capacity'] as const;
export type LoadProfile = (typeof LOAD_PROFILES)[number];

/** k6's environment: loopback gateway, results written into the lab's Prometheus (one timeline with the system). */
export function k6Env(cfg: LabConfig, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BASE_URL: gatewayUrl(cfg),
    K6_NO_USAGE_REPORT: 'true',
    K6_PROMETHEUS_RW_SERVER_URL: `${prometheusUrl(cfg)}/api/v1/write`,
    K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(95),p(99),max',
    K6_PROMETHEUS_RW_PUSH_INTERVAL: '5s',
    ...extra,
  };
}

export interface LoadRunOptions {
  profile: LoadProfile;
  /** Shrinks every stage (0.1 = a tenth), for CI. */
  durationScale?: number;
  summaryJson?: string;
  htmlReport?: string;
  onLine?: (line: string) => void;
  /** More k6 environment (RATE, DURATION, RUN_ID, CHECKOUT_RATIO, CARD_TOKEN …). */
  env?: Record<string, string>;
  /** Extra k6 tags (e.g. experiment, run). */
  tags?: Record<string, string>;
  /** Stop k6 (SIGINT: it ends gracefully and still writes its summary). */
  signal?: AbortSignal;
}

/** Run the shop's k6 script with a named profile; k6 exits 99 when a threshold fails. */
export async function runLoad(cfg: LabConfig, options: LoadRunOptions) {
  const extra: Record<string, string> = { PROFILE: options.profile, ...options.env };
  if (options.durationScale) extra.DURATION_SCALE = String(options.durationScale);
  if (options.summaryJson) extra.SUMMARY_JSON = options.summaryJson;
  // k6 skips the report of a run shorter than a few aggregation periods (10 s by default): smoke lasts seconds.
  if (options.htmlReport)
    Object.assign(extra, {
      K6_WEB_DASHBOARD: 'true',
      K6_WEB_DASHBOARD_EXPORT: options.htmlReport,
      K6_WEB_DASHBOARD_PORT: '-1',
      K6_WEB_DASHBOARD_PERIOD: options.profile === 'smoke' ? '200ms' : '1s',
    });
  return run(
    binPath(cfg.toolsDir, 'k6'),
    [
      'run',
      '--no-color',
      '--out',
      'experimental-prometheus-rw',
      ...Object.entries({ profile: options.profile, ...options.tags }).flatMap(([key, value]) => ['--tag', `${key}=${value}`]),
      path.join(cfg.root, 'load', 'shop.ts'),
    ],
    {
      env: k6Env(cfg, extra),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}

/** Gentle ambient traffic while the lab runs, so dashboards have something to show (bounded: AMBIENT_DURATION, 8 h). */
export const ambientTraffic: Component = {
  name: 'traffic',
  hint: 'read the log; the ambient traffic needs the gateway and the catalog',
  logFile: (cfg) => path.join(cfg.stateDir, 'logs', 'traffic.log'),
  dataDirs: () => [],
  endpoint: () => 'k6 profile ambient (2 shoppers/s) → Prometheus',
  async prepare() {},
  async start(cfg) {
    const pid = await spawnDaemon({
      command: binPath(cfg.toolsDir, 'k6'),
      args: ['run', '--quiet', '--no-color', '--out', 'experimental-prometheus-rw', '--tag', 'profile=ambient', path.join(cfg.root, 'load', 'shop.ts')],
      env: k6Env(cfg, { PROFILE: 'ambient' }),
      logFile: this.logFile(cfg),
    });
    return { component: 'traffic', processes: [{ pid, match: 'k6' }], startedAt: new Date().toISOString() };
  },
  // k6 has no health endpoint of its own here: running is ready.
  probe: async () => true,
};
