/** What one run of an experiment produced: the input of the reports and of the CI gate. */
export interface Journal {
  experiment: string;
  title: string;
  hypothesis: string;
  policies: 'on' | 'off';
  /** The mechanism knocked out for this run (`chaos prove`), if any. */
  knockout?: string;
  /** The time scale the run used (`--scale`); 1 when absent. */
  scale?: number;
  seed: number;
  startedAt: string;
  endedAt: string;
  verdict: 'passed' | 'failed' | 'aborted' | 'error';
  abortReason?: string;
  error?: string;
  /** Seconds from the start of the load. */
  phases: { name: string; fault?: string; start: number; end: number }[];
  faults: { id: string; target: string; what: string; start: number; end: number }[];
  steadyState: { probe: string; passed: boolean; measured: string }[];
  expectations: ExpectationResult[];
  /** One sample a second, seconds from the start of the load. */
  timeline: {
    t: number[];
    /** k6 as seen at the gateway. */
    latencyP95Ms: (number | null)[];
    errorRate: (number | null)[];
    requestsPerSec: (number | null)[];
    /** `service→dependency` → state name per sample (closed, open, half_open, disabled). */
    breakers: Record<string, string[]>;
  };
  load: { requests: number; failedRate: number; p95Ms: number | null };
  /** Alerts Prometheus reported pending or firing during the run, seconds from the start of the load. */
  alerts?: AlertSeen[];
}

export interface AlertSeen {
  alert: string;
  labels: Record<string, string>;
  /** When Prometheus first found the condition true (may be before the load: then negative). */
  activeAt: number;
  /** When it was first seen firing; null when it stayed pending. */
  firingAt: number | null;
  /** When it was last seen pending or firing. */
  lastSeenAt: number;
}

export interface ExpectationResult {
  id: string;
  kind: string;
  /** The resilience mechanism this judges (breaker, retry, bulkhead, timeout, fallback, saga, outbox, dead-letter, latency, errors, invariants). */
  mechanism: string;
  description: string;
  phase: string;
  passed: boolean;
  /** Measured value (number) and its unit, for the report and the gate. */
  measured: number | null;
  threshold: string;
  unit: string;
  detail?: string;
  /** The mechanism reference it verifies (`bulkhead order→product`), when it verifies one. */
  verifies?: string;
}
