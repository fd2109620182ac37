import type { LabConfig } from '../config.js';
import { fetchJsonOrUndefined } from '../fetch-json.js';
import { rabbitmqAuthOf, rabbitmqManagementUrl } from '../infra/components/rabbitmq.js';
import { edgeStates } from '../infra/toxiproxy-client.js';
import { serviceUrl } from './services.js';
import { SERVICE_NAMES } from './topology.js';

export interface BreakerState {
  service: string;
  dependency: string;
  state: string;
}

export interface ServiceSample {
  service: string;
  /** The `name` label: the dependency (or `target` for knock-outs). */
  dependency: string;
  value: number;
}

/** What the runner and `status` read from every running service's own `/metrics`, once. */
export interface MetricsSnapshot {
  breakers: BreakerState[];
  /** `dependency_calls_in_flight`: attempts under way, per dependency. */
  inFlight: ServiceSample[];
  /** `faultline_knockout_active`: mechanisms removed on purpose. */
  knockouts: { service: string; mechanism: string; target: string }[];
}

const labelsOf = (text: string) => Object.fromEntries([...text.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])) as Record<string, string | undefined>;

/** One read of every running service's `/metrics`: breaker states, calls in flight, knock-outs. */
export async function metricsSnapshot(cfg: LabConfig): Promise<MetricsSnapshot> {
  const parts = await Promise.all(
    SERVICE_NAMES.map(async (service): Promise<MetricsSnapshot> => {
      try {
        const text = await (await fetch(`${serviceUrl(cfg, service)}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
        return {
          breakers: [...text.matchAll(/^resilience4j_circuitbreaker_state\{([^}]*)\} 1$/gm)].map((m) => {
            const labels = labelsOf(m[1] ?? '');
            return { service, dependency: labels.name ?? '?', state: labels.state ?? '?' };
          }),
          inFlight: [...text.matchAll(/^dependency_calls_in_flight\{([^}]*)\} (\S+)$/gm)].map((m) => ({
            service,
            dependency: labelsOf(m[1] ?? '').name ?? '?',
            value: Number(m[2]),
          })),
          knockouts: [...text.matchAll(/^faultline_knockout_active\{([^}]*)\} 1$/gm)].map((m) => {
            const labels = labelsOf(m[1] ?? '');
            return { service, mechanism: labels.mechanism ?? '?', target: labels.target ?? '?' };
          }),
        };
      } catch {
        return { breakers: [], inFlight: [], knockouts: [] };
      }
    }),
  );
  return { breakers: parts.flatMap((p) => p.breakers), inFlight: parts.flatMap((p) => p.inFlight), knockouts: parts.flatMap((p) => p.knockouts) };
}

export interface ProxyState {
  name: string;
  enabled: boolean;
  toxics: string[];
}

/** Proxies that are disabled or carry toxics (the faults active right now). */
export async function activeFaults(cfg: LabConfig): Promise<ProxyState[]> {
  return (await edgeStates(cfg))
    .filter((p) => !p.enabled || p.toxics.length > 0)
    .map((p) => ({
      name: p.name,
      enabled: p.enabled,
      toxics: p.toxics.map(
        (t) =>
          `${t.type}(${Object.entries(t.attributes)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')})`,
      ),
    }));
}

export interface QueueState {
  name: string;
  messages: number;
  consumers: number;
  deadLetter: boolean;
}

/** Queue depths, dead-letter queues flagged. */
export async function queueStates(cfg: LabConfig): Promise<QueueState[]> {
  const queues = await fetchJsonOrUndefined<{ name: string; messages?: number; consumers?: number }[]>(`${rabbitmqManagementUrl(cfg)}/api/queues/%2F`, {
    headers: rabbitmqAuthOf(cfg),
    timeoutMs: 2000,
  });
  return (queues ?? [])
    .filter((q) => !q.name.startsWith('amq.'))
    .map((q) => ({ name: q.name, messages: q.messages ?? 0, consumers: q.consumers ?? 0, deadLetter: q.name.endsWith('.dlq') }));
}
