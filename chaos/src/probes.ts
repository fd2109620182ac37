import { gatewayUrl, type LabConfig, promScalar, serviceUrl } from '@faultline/lab';
import type { Probe } from './schema.js';

/** Evaluate a steady-state or abort probe now: PromQL against a tolerance, or an HTTP status. */
export async function probe(cfg: LabConfig, p: Probe): Promise<{ probe: string; passed: boolean; measured: string }> {
  try {
    if ('promql' in p) {
      const value = await promScalar(cfg, p.promql, Date.now() / 1000);
      const v = value ?? Number.NaN;
      const passed = p.op === '<' ? v < p.value : p.op === '<=' ? v <= p.value : p.op === '>' ? v > p.value : p.op === '>=' ? v >= p.value : v === p.value;
      return { probe: p.name, passed, measured: `${value ?? 'no data'} (${p.op} ${p.value})` };
    }
    const base = p.service ? serviceUrl(cfg, p.service) : gatewayUrl(cfg);
    const response = await fetch(`${base}${p.http}`, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return { probe: p.name, passed: response.status === p.status, measured: `HTTP ${response.status}` };
  } catch (error) {
    return { probe: p.name, passed: false, measured: error instanceof Error ? error.message : String(error) };
  }
}
